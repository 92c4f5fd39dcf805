"""Signed-in pages of every role built from the component set (docs/components.md) fit a 360 px
phone without sideways scrolling and keep WCAG AA contrast on every control, in both languages."""

from __future__ import annotations

import pytest

from tests.browser.conftest import first_link, sign_in_demo
from tests.browser.test_contrast_and_width import low_contrast, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# For each demo account: its pages, and listing pages whose first matching link is opened too.
PAGES = {
    "citizen": (
        ["/applications/", "/wallet/", "/notifications/", "/profile/"],
        [("/applications/", r"/applications/\d+/"), ("/wallet/", r"/wallet/\d+/")],
    ),
    "clerk": (
        ["/staff/", "/staff/counter/", "/staff/counter/new/", "/staff/counter/pickup/"],
        [("/staff/counter/", r"/staff/counter/\d+/")],
    ),
    "reviewer": (
        ["/staff/workbench/"],
        [("/staff/workbench/", r"/staff/workbench/cases/\d+/")],
    ),
    "deptadmin": (
        ["/staff/workbench/department/", "/staff/certificates/"],
        [
            ("/staff/certificates/", r"/staff/certificates/\d+/"),
            ("/staff/certificates/", r"/staff/certificates/issue/\d+/"),
        ],
    ),
}


# Every role in Chinese (the default); English, whose words run longer, for two of them.
@pytest.mark.parametrize(
    ("who", "language"),
    [*((who, "zh-hans") for who in PAGES), ("citizen", "en"), ("deptadmin", "en")],
)
def test_signed_in_pages_fit_a_phone_and_reach_aa_contrast(new_page, demo, who, language):
    page = new_page(language)
    sign_in_demo(page, who)
    paths, listings = PAGES[who]
    paths = list(paths)
    for listing, pattern in listings:
        page.goto(listing)
        found = first_link(page, pattern)
        assert found, f"no link like {pattern} on {listing}"
        paths.append(found)
    page.set_viewport_size({"width": 360, "height": 800})
    too_wide, unreadable = {}, {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            too_wide[path] = width
        if failures := low_contrast(page):
            unreadable[path] = failures
    shoot(page, f"layout-{who}-{language}-360")
    assert too_wide == {}
    assert unreadable == {}


def test_the_issue_form_shows_where_the_clerk_is_in_its_steps(new_page, demo):
    page = new_page()
    page.goto("/accounts/login/")
    sign_in_demo(page, "deptadmin")
    page.goto("/staff/certificates/")
    page.goto(first_link(page, r"/staff/certificates/issue/\d+/"))
    steps = page.locator(".step-indicator li:not(.step-count)")
    assert steps.count() == 3
    current = page.locator('.step-indicator [aria-current="step"]')
    assert current.inner_text() == "Fill in the details"

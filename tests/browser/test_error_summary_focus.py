"""After a failed submit, focus lands on the error summary, whose links lead to the fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import Organisation
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, UserFactory, make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/accounts")


def _shoot(page, name: str) -> None:
    """Screenshots for the reviewer at desktop and phone widths (not committed)."""
    if not SHOTS.parent.exists():
        return
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_focus_lands_on_the_error_summary_and_its_link_reaches_the_field(page, screenshot):
    user = UserFactory()
    page.goto("/profile/realname/")
    sign_in(page, user.email, PASSWORD)
    page.get_by_label(re.compile("^Resident ID number")).fill("123")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    screenshot(page, "summary")
    _shoot(page, "error-summary-realname")

    summary.get_by_role("link", name=re.compile("^Resident ID number")).click()
    expect(page.locator("#id_id_number")).to_be_focused()


def test_a_failed_sign_up_focuses_the_summary_too(page):
    page.goto("/accounts/signup/")
    page.get_by_label(re.compile("^Mobile number")).fill("12")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD + "x")
    page.get_by_role("button", name=re.compile("Sign Up")).click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    _shoot(page, "error-summary-signup")


def test_the_header_switches_whom_the_user_acts_for(page):
    user = UserFactory(phone="+8613911113333")
    Organisation.objects.create(
        uscc=make_uscc(), name="广州示例科技有限公司", legal_representative=user
    )
    page.goto("/wallet/")
    sign_in(page, user.email, PASSWORD)
    header = page.get_by_role("banner")
    expect(header.locator(".acting-now")).to_contain_text("139****3333")
    _shoot(page, "acting-for-self")
    header.get_by_label("Act for").select_option(label="广州示例科技有限公司")
    header.get_by_role("button", name="Switch").click()
    expect(page).to_have_url(re.compile(r"/wallet/$"))
    expect(header.locator(".acting-now")).to_have_text("广州示例科技有限公司")
    _shoot(page, "acting-for-organisation")


def test_a_phone_only_user_asks_for_a_reset_code(page):
    page.goto("/accounts/password/reset/")
    _shoot(page, "password-reset")
    page.get_by_role("link", name=re.compile("mobile number")).click()
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_focused()
    _shoot(page, "password-reset-phone-error")
    page.get_by_label(re.compile("^Mobile number")).fill("13900009999")
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_text("139****9999")).to_be_visible()
    _shoot(page, "password-reset-code")

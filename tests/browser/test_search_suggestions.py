"""Suggestions as one types in the search box, on the home page and the search page: they
appear, the arrow keys move through them, Enter opens the one chosen; without JavaScript
the same box is a plain form that submits to the search page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services import demo as catalogue_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/search")  # where the session looks at screenshots


@pytest.fixture
def catalogue():
    from portal import demo
    from services.models import SearchWord
    from services.search import vocabulary

    # A transactional test empties every table afterwards, the words migration 0007 seeded too.
    rows = {(kind, phrase): means for kind, phrase, means in vocabulary.seed_rows() if phrase}
    SearchWord.objects.bulk_create(
        [SearchWord(kind=k, phrase=p, means=m) for (k, p), m in rows.items()],
        ignore_conflicts=True,
    )
    demo.load()
    catalogue_demo.load()
    vocabulary.forget()


def shoot(page, name: str) -> None:
    """The page at desktop and phone width, as it is now."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def suggestions(page):
    return page.get_by_role("listbox", name="Suggestions").get_by_role("option")


def test_choose_a_suggestion_on_the_home_page_with_the_keyboard(page, catalogue):
    page.goto("/")
    box = page.get_by_role("combobox", name="Search services")
    box.press_sequentially("社保卡")
    options = suggestions(page)
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status")).to_contain_text("suggestions")

    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    shoot(page, "home-suggestions")
    expect(options.first).to_have_attribute("aria-selected", "false")
    expect(box).to_have_attribute("aria-activedescendant", second.get_attribute("id"))
    chosen = second.evaluate("option => option.lastChild.textContent")

    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/(services|bundles)/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(chosen)


def test_the_search_page_box_wraps_closes_and_opens_the_first_suggestion(page, catalogue):
    page.goto("/search/?q=yyzz")
    box = page.get_by_role("combobox", name="Search services")
    box.fill("")
    box.press_sequentially("shenfenzheng")
    options = suggestions(page)
    expect(options).to_have_count(3)  # first issue, renewal, replacement
    shoot(page, "search-page-suggestions")

    # Up from the box goes to the last suggestion; Escape closes the list, the text stays.
    box.press("ArrowUp")
    expect(options.last).to_have_attribute("aria-selected", "true")
    expect(options.first).to_have_attribute("aria-selected", "false")
    box.press("Escape")
    expect(page.get_by_role("listbox", name="Suggestions")).to_be_hidden()
    expect(box).to_have_value("shenfenzheng")

    box.press("ArrowDown")  # opens the list again
    expect(options.first).to_be_visible()
    box.press("ArrowDown")
    chosen = options.first.evaluate("option => option.lastChild.textContent")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/(services|bundles)/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(chosen)


def test_without_javascript_the_box_submits_to_the_search_page(browser, live_server, catalogue):
    from django.conf import settings

    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 900}
    )
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    try:
        page = context.new_page()
        page.goto("/")
        box = page.get_by_label("Search services")
        box.fill("社保卡坏了")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q="))
        expect(
            page.get_by_role("heading", name=re.compile(r"^[1-9]\d* results? for"))
        ).to_be_visible()
        expect(page.get_by_role("link", name="Replacing a social security card")).to_be_visible()
        expect(page.get_by_role("listbox")).to_have_count(0)  # hidden: nothing to choose from
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "no-javascript-results-390.png", full_page=True)
    finally:
        context.close()

"""The home page works from the keyboard and switches language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages are in Simplified Chinese unless the visitor switched: these journeys start there.
SKIP_LINK = re.compile(r"^(跳到主要内容|Skip to main content)$")
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_skip_link_moves_focus_to_the_main_content(new_page, screenshot):
    page = new_page(language=None)
    page.goto("/")

    # The skip link is the first thing the keyboard reaches; shown once focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=SKIP_LINK)
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    screenshot(page, "skip-link")

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/#main$"))
    expect(page.get_by_role("main")).to_be_focused()

    # The next Tab goes to the first control inside main, past the whole header.
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").locator(":focus")).to_have_count(1)
    expect(page.get_by_role("banner").locator(":focus")).to_have_count(0)
    screenshot(page, "after-skip")


def test_language_switch_goes_to_english_and_back(new_page, screenshot):
    page = new_page(language=None)
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(HAN)

    page.get_by_role("button", name="English", exact=True).click()
    expect(html).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="One window for all your government services"),
    ).to_be_visible()
    expect(page.get_by_role("button", name="简体中文", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/$"))  # back where the switch was
    screenshot(page, "english")

    page.get_by_role("button", name="简体中文", exact=True).click()
    expect(html).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(HAN)
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    screenshot(page, "chinese")

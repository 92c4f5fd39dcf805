"""A visitor finds a service by its pinyin initials and opens its guide, keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services import demo as catalogue_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue():
    from portal import demo

    demo.load()
    catalogue_demo.load()


def test_find_a_service_by_pinyin_initials_and_open_its_guide(page, catalogue, screenshot):
    page.goto("/services/")
    expect(page.get_by_role("heading", name="Service catalogue", level=1)).to_be_visible()

    search = page.get_by_label("Search services")
    search.fill("yyzz")
    search.press("Enter")

    expect(page).to_have_url(re.compile(r"/search/\?q=yyzz$"))
    results = page.get_by_role("heading", name=re.compile(r"^\d+ results? for “yyzz”$"))
    expect(results).to_be_visible()
    first = page.locator(".service-list .service-name a").first
    expect(first).to_have_text("Sole proprietorship registration")
    screenshot(page, "results")

    first.focus()
    page.keyboard.press("Enter")
    expect(
        page.get_by_role("heading", name="Sole proprietorship registration", level=1)
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Materials")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("Resident identity card"))).to_be_visible()
    expect(page.get_by_role("link", name="Apply online")).to_be_visible()
    expect(page.get_by_role("link", name="Book a visit")).to_be_visible()
    screenshot(page, "guide")

"""A reviewer finds a case he already decided under "Decided by me" and reads it; nothing on
it lets him act again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services import workflow
from services.models import Application
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.cases import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("WORKBENCH_SHOTS", "/tmp/shots/workbench"))


def shoot(page, name: str) -> None:
    """The page at 1280 and at 390 px wide, with no sideways scrolling at the narrow one."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / f"{name}-390.png", full_page=True)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), f"{name} scrolls sideways at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_reviewer_finds_and_reads_a_case_he_denied(new_page, settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    w = world()
    approved = workflow.approve(Application.objects.get(pk=w.accepted().pk), by=w.reviewer)
    denied = workflow.deny(
        Application.objects.get(pk=w.accepted().pk), by=w.reviewer, reason="材料不全"
    )
    w.accepted()  # still in his queue

    page = new_page()
    page.goto("/staff/")
    sign_in(page, w.reviewer.email, PASSWORD)
    page.get_by_role("link", name="Review queue").click()
    page.get_by_role("link", name="Decided by me").click()
    expect(page.get_by_role("link", name=str(denied))).to_be_visible()
    expect(page.get_by_role("link", name=str(approved))).to_be_visible()
    expect(page.locator("table")).to_contain_text("Denied")
    shoot(page, "decided")

    page.get_by_role("link", name=str(denied)).click()
    expect(page.locator("main")).to_contain_text("材料不全")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Claim")).to_have_count(0)
    shoot(page, "decided-case")

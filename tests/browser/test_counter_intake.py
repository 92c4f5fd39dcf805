"""At the window: a clerk takes in a walk-in citizen's application, ticks the material
checklist, accepts it and prints the acceptance receipt; later the results window hands the
paper result over."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services import workflow
from services.models import Application, ApplicationStatus
from services.models.catalogue import ServiceResult
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.cases import profile_of, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Copies of the screenshots for people to look at (not kept in the repository).
SHOTS = Path(os.environ.get("COUNTER_SHOTS", "/tmp/shots/counter"))


def test_a_clerk_takes_in_a_walk_in_application_and_prints_the_receipt(page, shoot, settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    w = world()
    w.applicant.person_profile.legal_name = "王小红"
    w.applicant.person_profile.save()
    w.submitted()  # an online application waiting in the queue too

    page.goto("/staff/")
    sign_in(page, w.clerk.email, PASSWORD)
    page.get_by_role("link", name="Intake queue").click()
    expect(page.get_by_role("heading", name="Intake queue")).to_be_visible()
    shoot(page, "queue")

    page.get_by_role("link", name="Take in a walk-in application").click()
    page.get_by_label("Resident ID number").fill(profile_of(w.applicant).reveal_id_number())
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_text("王小红")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(profile_of(w.applicant).reveal_id_number())
    page.get_by_label("Service name or code").fill(w.service.name)
    page.get_by_role("button", name="Search").click()
    shoot(page, "start")
    page.get_by_role("button", name=f"Start {w.service.name}").click()

    expect(page.get_by_role("heading", name="Material checklist")).to_be_visible()
    page.get_by_label("applicant name").fill("王小红")
    checklist = page.get_by_role("group", name=re.compile(w.material.name))
    checklist.get_by_label("Original seen").check()
    checklist.get_by_label("Copy taken").check()
    shoot(page, "intake-form")
    page.get_by_role("button", name="Hand in for the applicant").click()

    expect(page.get_by_text("Handed in.")).to_be_visible()
    shoot(page, "intake-decide")
    page.get_by_role("button", name="Accept", exact=True).click()

    app = Application.objects.get(applicant=w.applicant, channel="counter")
    assert app.status == ApplicationStatus.IN_REVIEW
    expect(page.get_by_role("heading", name="Acceptance receipt")).to_be_visible()
    expect(page.locator("article")).to_contain_text(app.acceptance_number)
    expect(page.locator("article")).to_contain_text("original seen")
    expect(page.get_by_role("img", name="QR code of the progress link")).to_be_visible()
    shoot(page, "receipt")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    shoot(page, "receipt-print")
    page.emulate_media(media="screen")

    pdf = page.request.get(f"/applications/{app.pk}/receipt.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "receipt.pdf").write_bytes(pdf.body())


def test_the_results_window_hands_a_paper_result_over(page, shoot, settings):
    settings.STAFF_MFA_REQUIRED = False
    w = world(result=ServiceResult.PAPER)
    app = workflow.approve(w.accepted(), by=w.department_admin)
    app.refresh_from_db()
    assert app.pickup_code

    page.goto("/staff/counter/pickup/")
    sign_in(page, w.clerk.email, PASSWORD)
    page.get_by_role("textbox", name="Pickup code").fill(app.pickup_code)
    page.get_by_role("region", name="By pickup code").get_by_role("button", name="Find").click()
    expect(page.get_by_role("region", name="Waiting at your hall")).to_contain_text(
        app.acceptance_number
    )
    shoot(page, "pickup")
    page.get_by_role("button", name=re.compile("Mark as handed over")).click()
    expect(page.get_by_text("The case is completed.")).to_be_visible()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.COMPLETED

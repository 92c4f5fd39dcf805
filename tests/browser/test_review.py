"""后台分类审批 in the browser: the routed reviewer opens his queue, opens the case, reads the
e-certificate given instead of a copy beside the answers, and approves; the case completes and
its own e-certificate is issued to the applicant."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from certificates import selectors as certificate_selectors
from certificates.models import CertificateUse
from portal.models import StaffRole
from services import routing
from services.models import Application, ApplicationStatus
from services.models.applications import SlaLevel
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.cases import certificate_world, staff
from tests.services.review_cases import with_certificate

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


def test_the_routed_reviewer_approves_a_case_with_a_certificate_instead_of_a_copy(
    new_page, settings
):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    w = certificate_world()
    app, _form, id_card = with_certificate(w)
    app = Application.objects.get(pk=app.pk)
    assert app.assigned_to == w.reviewer  # routed on acceptance
    # Two more cases in the queue: one due soon and unassigned, one overdue.
    other, late = with_certificate(w)[0], with_certificate(w)[0]
    routing.release(Application.objects.get(pk=other.pk), by=w.reviewer)
    Application.objects.filter(pk=other.pk).update(sla=SlaLevel.DUE_SOON)
    Application.objects.filter(pk=late.pk).update(sla=SlaLevel.OVERDUE)

    page = new_page()
    page.goto("/staff/")
    sign_in(page, w.reviewer.email, PASSWORD)
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_role("link", name=str(app))).to_be_visible()
    expect(page.locator(".sla-counts")).to_contain_text("Overdue")
    shoot(page, "queue")

    page.get_by_role("link", name="Unassigned").click()
    page.get_by_role("button", name=f"Claim {other}").click()
    expect(page.get_by_text(f"{other} is now yours.")).to_be_visible()

    page.get_by_role("link", name="Assigned to me").click()
    page.get_by_role("link", name=str(app)).click()
    expect(page.get_by_role("heading", name="Answers")).to_be_visible()
    materials = page.locator("section", has=page.get_by_role("heading", name="Materials"))
    expect(materials).to_contain_text("This certificate is genuine and valid.")
    expect(materials).to_contain_text("广州市天河区天河路1号")
    expect(materials).to_contain_text("Issued by 广州市公安局")
    expect(page.locator("main")).to_contain_text(w.applicant.person_profile.id_number_masked)
    expect(page.locator("main")).not_to_contain_text(w.applicant.person_profile.reveal_id_number())
    assert CertificateUse.objects.filter(certificate=id_card, reader=w.reviewer).exists()
    shoot(page, "case")

    page.get_by_label("Opinion").fill("材料齐全，准予许可。")
    page.get_by_role("button", name="Approve", exact=True).click()

    done = Application.objects.get(pk=app.pk)
    expect(page.get_by_text(f"{done} approved: now “Completed”.")).to_be_visible()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    assert done.status == ApplicationStatus.COMPLETED
    assert done.result_certificate is not None
    assert certificate_selectors.holds(w.applicant, done.result_certificate)
    assert done.result_certificate.surface["applicant_name"] == "张小明"


def test_the_department_administrator_reassigns_an_unassigned_case(new_page, settings):
    settings.STAFF_MFA_REQUIRED = False
    w = certificate_world()
    app = with_certificate(w)[0]
    routing.release(Application.objects.get(pk=app.pk), by=w.reviewer)
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])

    page = new_page()
    page.goto("/staff/")
    sign_in(page, w.department_admin.email, PASSWORD)
    page.get_by_role("link", name="My department's cases").click()
    page.get_by_role("link", name="Unassigned").click()
    expect(page.get_by_role("link", name=str(Application.objects.get(pk=app.pk)))).to_be_visible()
    shoot(page, "department")

    page.get_by_role("link", name=str(Application.objects.get(pk=app.pk))).click()
    page.get_by_label("Reviewer").select_option(str(colleague.pk))
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text(re.compile(r"is now assigned to"))).to_be_visible()
    assert Application.objects.get(pk=app.pk).assigned_to == colleague

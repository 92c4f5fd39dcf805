"""A citizen applies online with one upload and his e-certificate instead of a copy, follows the
case in 我的办件 and, once the staff (here: the workflow functions) accept and approve it, finds
the result certificate in his wallet. A second journey answers a supplement request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services import workflow
from services.models import Application
from tests.browser.conftest import screenshot_path, sign_in
from tests.factories import PASSWORD
from tests.services.applicant_cases import two_materials
from tests.services.cases import PDF, certificate_world, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shoot(request):
    """Screenshots at 1280 and 390 px; the page must not scroll sideways at 360 px."""

    def take(page, step: str) -> None:
        for width in (1280, 390, 360):
            page.set_viewport_size({"width": width, "height": 900})
            if width == 360:
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{step}: {overflow}px sideways scroll at 360 px"
            else:
                path = screenshot_path(f"{request.node.name}-{step}-{width}")
                page.screenshot(path=path, full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

    return take


def test_apply_online_with_an_upload_and_an_e_certificate_then_get_the_result(
    page, shoot, tmp_path
):
    t = two_materials(certificate_world())
    service = t.w.service
    scan = tmp_path / "photo.pdf"
    scan.write_bytes(PDF)

    page.goto(f"/services/{service.code}/")
    page.get_by_role("link", name="Apply online").click()
    sign_in(page, t.w.applicant.email, PASSWORD)
    expect(page.get_by_text("You apply in your own name.")).to_be_visible()
    shoot(page, "start")
    page.get_by_role("button", name="Start the application").click()

    # Handing in an empty form lists every problem at once, each a link to its field.
    expect(page.get_by_role("heading", name=service.display_name, level=1)).to_be_visible()
    page.get_by_role("button", name="Hand in the application").click()
    summary = page.get_by_role("alert").filter(has_text="problems to fix")
    expect(summary).to_contain_text("There are 3 problems to fix")
    shoot(page, "errors")
    summary.get_by_role("link", name=re.compile("applicant name")).click()
    expect(page.get_by_label(re.compile("^applicant name"))).to_be_focused()

    page.get_by_label(re.compile("^applicant name")).fill("张小明")
    page.locator(f"#file-{t.photo.pk}").set_input_files(str(scan))
    page.get_by_label(re.compile("Use my e-certificate: 居民身份证")).check()
    shoot(page, "filled")
    page.get_by_role("button", name="Hand in the application").click()

    expect(page.get_by_text("Your application has been handed in.")).to_be_visible()
    expect(page.get_by_text("e-certificate “居民身份证” instead of a copy")).to_be_visible()
    shoot(page, "submitted")
    application = Application.objects.get(applicant=t.w.applicant)

    page.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdraw the application")).to_be_visible()
    shoot(page, "withdraw")
    page.get_by_role("link", name="Keep the application").click()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My applications").click()
    case = page.get_by_role("listitem").filter(has_text=service.display_name)
    expect(case).to_contain_text("Submitted, awaiting acceptance")
    expect(case).to_contain_text("Wait for the service window to accept it")
    shoot(page, "my-applications")

    # The staff's part, through the workflow (their pages are tested on their own).
    workflow.accept(application, by=t.w.clerk, opinion="材料齐全，予以受理")
    workflow.approve(application, by=t.w.department_admin, opinion="符合条件")
    application.refresh_from_db()
    assert application.status == "completed" and application.result_certificate_id

    case.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Your result")).to_be_visible()
    expect(page.get_by_text("材料齐全，予以受理")).to_be_visible()
    expect(page.get_by_text("Accepted by the service window")).to_be_visible()
    shoot(page, "result")

    page.get_by_role("link", name="progress page").click()
    expect(page.get_by_role("heading", name="Application progress")).to_be_visible()
    expect(page.get_by_text("Completed").first).to_be_visible()
    assert "张小明" not in page.content()
    shoot(page, "track")
    page.go_back()

    page.get_by_role("link", name="Open the certificate").click()
    certificate_name = service.result_certificate_type.name
    expect(page.get_by_role("heading", name=certificate_name)).to_be_visible()
    page.goto("/wallet/")
    expect(page.get_by_role("link", name=certificate_name)).to_be_visible()

    badge = page.get_by_role("link", name=re.compile(r"^Messages"))
    expect(badge).to_have_accessible_name(re.compile(r"^Messages \(\d+ unread\)$"))
    badge.click()
    expect(page.get_by_role("heading", name="Application completed")).to_be_visible()
    shoot(page, "messages")
    expect(page.get_by_role("link", name=re.compile(r"^Messages$"))).to_be_visible()


def test_a_supplement_request_is_answered_online_and_the_clock_resumes(page, shoot, tmp_path):
    w = world()
    application = w.accepted()
    workflow.request_supplement(
        application, by=w.department_admin, items=["照片不清晰，请重新上传"]
    )
    scan = tmp_path / "clearer.pdf"
    scan.write_bytes(PDF)

    page.goto(f"/applications/{application.pk}/")
    sign_in(page, w.applicant.email, PASSWORD)
    expect(page.get_by_text("照片不清晰，请重新上传").first).to_be_visible()
    expect(page.get_by_text("Clock paused while you supply what is asked")).to_be_visible()
    shoot(page, "supplement")
    page.locator(f"#file-{w.material.pk}").set_input_files(str(scan))
    page.get_by_role("button", name="Hand in the supplement").click()

    expect(page.get_by_text("Your supplement has been handed in.")).to_be_visible()
    expect(page.get_by_text("Supplement handed in")).to_be_visible()
    application.refresh_from_db()
    assert application.status == "in_review" and application.paused_on is None
    shoot(page, "resubmitted")

"""Issue 8's journeys across roles, each person in his own browser and every step through the
pages (no workflow calls once the journey has begun): a citizen applies online, the window
clerk accepts and prints the receipt, the reviewer that routing chose decides, and the citizen
gets the result; a bundle (一件事) fans out to three departments and completes; a supplement
request pauses the clock and the resubmission resumes it. Routing and notifications run on the
live server's commits (Celery eager, in the server's thread), as they would after a real one.

The last test walks every lifecycle page in Chinese (the default language) at 1280, 390 and
360 px; its screenshots go to /tmp/shots/journeys/ for people to look at."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.models import RealNameLevel, StaffRole
from services import calendar
from services.models import Application, ApplicationStatus, MaterialRequirement
from tests.browser.conftest import sign_in
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PersonFactory,
    ServiceCategoryFactory,
    ServiceHallFactory,
    activate_totp,
    totp_code,
)
from tests.services.cases import PDF, at, certificate_world, freeze, staff, world
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    MaterialFactory,
    ReviewStepFactory,
    ServiceFactory,
    field,
)
from tests.services.review_cases import id_card_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
A = ApplicationStatus
SHOTS = Path(os.environ.get("JOURNEY_SHOTS", "/tmp/shots/journeys"))


def shoot(page, name: str) -> None:
    """The page at 1280 and 390 px wide; at 360 px it must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390, 360):
        page.set_viewport_size({"width": width, "height": 900})
        if width == 360:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 360, f"{name} is {wide}px wide at 360 px"
        else:
            page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def staff_sign_in(page, user, secret: str | None) -> None:
    """Password, then the authenticator code: staff pages need the second factor (unless the
    test switched it off: allauth takes each code once, so a second sign-in within the same
    30 seconds would wait for the next one)."""
    page.goto("/staff/")
    sign_in(page, user.email, PASSWORD)
    if secret is not None:
        page.get_by_label(re.compile(r"^Code:?$")).fill(totp_code(secret))
        page.get_by_role("button", name="Sign In", exact=True).click()
    expect(page.get_by_role("heading", name="Staff workbench")).to_be_visible()


def due_by(where):
    return where.locator("dt", has_text="Due by").locator("xpath=following-sibling::dd[1]")


def with_id_card_material(w) -> MaterialRequirement:
    """The service asks for a photo (uploaded) and an ID-card copy, which the applicant's
    identity-card e-certificate may replace (材料免提交)."""
    w.material.name, w.material.file_types = "近期照片", "pdf,jpg,png"
    w.material.save()
    card = id_card_for(w)
    return MaterialFactory(
        service=w.service, key="resident-id", name="居民身份证复印件", certificate_type=card.type
    )


def hand_in_online(page, w, scan: Path, *, certificate: bool) -> None:
    page.goto(f"/services/{w.service.code}/")
    page.get_by_role("link", name="Apply online").click()
    sign_in(page, w.applicant.email, PASSWORD)
    page.get_by_role("button", name="Start the application").click()
    page.get_by_label(re.compile("^applicant name")).fill("张小明")
    page.locator(f"#file-{w.material.pk}").set_input_files(str(scan))
    if certificate:
        page.get_by_label(re.compile("Use my e-certificate: 居民身份证")).check()
    page.get_by_role("button", name="Hand in the application").click()
    expect(page.get_by_text("Your application has been handed in.")).to_be_visible()


def test_apply_online_accept_at_the_window_approve_and_find_the_certificate_in_the_wallet(
    new_page, tmp_path
):
    w = certificate_world()
    with_id_card_material(w)
    clerk_secret, reviewer_secret = activate_totp(w.clerk), activate_totp(w.reviewer)
    scan = tmp_path / "photo.pdf"
    scan.write_bytes(PDF)

    citizen = new_page()
    hand_in_online(citizen, w, scan, certificate=True)
    expect(citizen.get_by_text("e-certificate “居民身份证” instead of a copy")).to_be_visible()
    case_url = citizen.url

    clerk = new_page()
    staff_sign_in(clerk, w.clerk, clerk_secret)
    clerk.get_by_role("link", name="Intake queue").click()
    clerk.get_by_role("link", name=w.service.display_name).click()
    expect(clerk.get_by_text("张小明")).to_be_visible()
    clerk.get_by_role("button", name="Accept", exact=True).click()
    expect(clerk.get_by_role("heading", name="Acceptance receipt")).to_be_visible()
    application = Application.objects.get(applicant=w.applicant)
    assert application.status == A.IN_REVIEW and application.acceptance_number
    expect(clerk.locator("article")).to_contain_text(application.acceptance_number)
    expect(clerk.get_by_role("img", name="QR code of the progress link")).to_be_visible()
    # Routing ran on the clerk's commit: the category's reviewer has the case.
    assert application.routed_at is not None and application.assigned_to == w.reviewer
    assert application.events.filter(action="route").count() == 1

    reviewer = new_page()
    staff_sign_in(reviewer, w.reviewer, reviewer_secret)
    reviewer.get_by_role("link", name="Review queue").click()
    reviewer.get_by_role("link", name=application.acceptance_number).click()
    answers = reviewer.locator("section", has=reviewer.get_by_role("heading", name="Answers"))
    expect(answers).to_contain_text("张小明")
    materials = reviewer.locator("section", has=reviewer.get_by_role("heading", name="Materials"))
    expect(materials).to_contain_text("This certificate is genuine and valid.")
    expect(materials).to_contain_text("广州市天河区天河路1号")
    expect(materials).to_contain_text("Issued by 广州市公安局")
    reviewer.get_by_label("Opinion").fill("材料齐全，准予许可。")
    reviewer.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.get_by_text(f"{application.acceptance_number} approved")).to_be_visible()

    citizen.goto(case_url)
    expect(citizen.get_by_role("heading", name="Your result")).to_be_visible()
    expect(citizen.get_by_text("材料齐全，准予许可。")).to_be_visible()
    expect(citizen.locator(".status-tag").first).to_have_text("Completed")
    badge = citizen.get_by_role("link", name=re.compile(r"^Messages"))
    badge.click()
    expect(citizen.get_by_role("heading", name="Application accepted")).to_be_visible()
    expect(citizen.get_by_role("heading", name="Application completed")).to_be_visible()
    citizen.goto("/wallet/")
    certificate_name = w.service.result_certificate_type.name
    citizen.get_by_role("link", name=certificate_name).click()
    expect(citizen.get_by_role("heading", name=certificate_name)).to_be_visible()
    expect(citizen.locator("main")).to_contain_text("张小明")


def bundle_of_three():
    """一件事 of three services, each of its own department and category with its own reviewer,
    all taken in at one hall by one clerk; each asks for the same birth proof."""
    hall = ServiceHallFactory()
    clerk = staff(StaffRole.CLERK, hall=hall)
    bundle = BundleFactory(name="出生一件事")
    members = []
    for n, name in enumerate(["出生登记", "医保参保登记", "社保卡申领"]):
        department = DepartmentFactory(name=f"第{n + 1}部门")
        category = ServiceCategoryFactory()
        service = ServiceFactory(
            name=name,
            department=department,
            category=category,
            form_definition={"fields": [field("child_name", label="子女姓名")]},
        )
        service.halls.add(hall)
        MaterialFactory(service=service, key="birth-proof", name="出生医学证明")
        ReviewStepFactory(service=service, order=1, department=department)
        reviewer = staff(StaffRole.REVIEWER, department=department, categories=[category])
        BundleMemberFactory(bundle=bundle, service=service, required=True, order=n)
        members.append((service, reviewer))
    applicant = PersonFactory(realname_level=RealNameLevel.WINDOW).user
    return bundle, members, clerk, applicant


def test_a_bundle_fans_out_to_three_departments_and_completes(new_page, tmp_path):
    bundle, members, clerk_user, applicant = bundle_of_three()
    secrets = {user.pk: activate_totp(user) for user in [clerk_user] + [r for _s, r in members]}
    proof = tmp_path / "birth.pdf"
    proof.write_bytes(PDF)

    citizen = new_page()
    citizen.goto(f"/bundles/{bundle.slug}/")
    citizen.get_by_role("link", name="Apply for all at once").click()
    sign_in(citizen, applicant.email, PASSWORD)
    citizen.get_by_role("button", name="Start the application").click()
    citizen.get_by_label(re.compile("^child name")).fill("张小宝")
    citizen.locator("input[type=file]").set_input_files(str(proof))
    citizen.get_by_role("button", name="Hand in the application").click()
    expect(citizen.get_by_text("Your application has been handed in.")).to_be_visible()
    progress = citizen.get_by_role("region", name="Progress of each service")
    for service, _reviewer in members:
        expect(progress.get_by_role("row", name=re.compile(service.name))).to_contain_text(
            "Submitted, awaiting acceptance"
        )
    parent_url = citizen.url

    clerk = new_page()
    staff_sign_in(clerk, clerk_user, secrets[clerk_user.pk])
    for service, _reviewer in members:
        clerk.goto("/staff/counter/")
        clerk.get_by_role("link", name=service.name, exact=True).click()
        clerk.get_by_role("button", name="Accept", exact=True).click()
        expect(clerk.get_by_role("heading", name="Acceptance receipt")).to_be_visible()
    clerk.goto("/staff/counter/")
    expect(clerk.get_by_text("Nothing to take in at your hall.")).to_be_visible()

    for number, (service, reviewer_user) in enumerate(members):
        child = Application.objects.get(service=service, parent__isnull=False)
        assert child.assigned_to == reviewer_user  # its own department's queue
        reviewer = new_page()
        staff_sign_in(reviewer, reviewer_user, secrets[reviewer_user.pk])
        reviewer.get_by_role("link", name="Review queue").click()
        # Only his own department's child is in his queue.
        expect(reviewer.get_by_role("link", name=re.compile(r"^SL"))).to_have_count(1)
        reviewer.get_by_role("link", name=child.acceptance_number).click()
        expect(reviewer.locator("main")).to_contain_text("张小宝")
        reviewer.get_by_role("button", name="Approve", exact=True).click()
        expect(reviewer.get_by_text(f"{child.acceptance_number} approved")).to_be_visible()

        citizen.goto(parent_url)
        row = progress.get_by_role("row", name=re.compile(service.name))
        expect(row).to_contain_text("Completed")
        if number < len(members) - 1:
            expect(citizen.locator(".status-tag").first).not_to_have_text("Completed")

    expect(citizen.locator(".status-tag").first).to_have_text("Completed")
    expect(progress.get_by_text("Completed")).to_have_count(3)
    citizen.get_by_role("link", name=re.compile(r"^Messages")).click()
    expect(citizen.get_by_role("heading", name="All services completed")).to_be_visible()


def test_a_supplement_request_pauses_the_clock_and_the_resubmission_resumes_it(
    new_page, monkeypatch, tmp_path, settings
):
    # The reviewer signs in before the holiday and again after it (sessions last 7 days).
    settings.STAFF_MFA_REQUIRED = False
    # The live server is a thread of this process: a frozen "now" holds for its pages too.
    calendar.load_official_year(2026)
    freeze(monkeypatch, at(dt.date(2026, 9, 29)))  # Tuesday before National Day
    w = world()
    application = w.accepted()
    # 30 Sep, then 8, 9, 10 (a make-up Saturday) and 12 October.
    assert application.due_date == dt.date(2026, 10, 12)
    scan = tmp_path / "clearer.pdf"
    scan.write_bytes(PDF)

    freeze(monkeypatch, at(dt.date(2026, 9, 30)))
    reviewer = new_page()
    staff_sign_in(reviewer, w.reviewer, None)
    reviewer.goto(f"/staff/workbench/cases/{application.pk}/")
    reviewer.get_by_label("What is missing or wrong").fill("身份证复印件不清晰\n缺少户口簿首页")
    reviewer.get_by_role("button", name="Send back for supplement").click()
    expect(reviewer.get_by_text("Supplement requested during review").first).to_be_visible()

    freeze(monkeypatch, at(dt.date(2026, 10, 12)))  # after the holiday
    citizen = new_page()
    citizen.goto(f"/applications/{application.pk}/")
    sign_in(citizen, w.applicant.email, PASSWORD)
    notice = citizen.get_by_role("region", name="Supplement requested")
    expect(notice).to_contain_text("身份证复印件不清晰")
    expect(notice).to_contain_text("缺少户口簿首页")
    expect(citizen.get_by_text("Clock paused while you supply what is asked")).to_be_visible()
    expect(due_by(citizen)).to_have_text("2026-10-12")  # the clock stands still
    citizen.locator(f"#file-{w.material.pk}").set_input_files(str(scan))
    citizen.get_by_role("button", name="Hand in the supplement").click()
    expect(citizen.get_by_text("Your supplement has been handed in.")).to_be_visible()

    paused = calendar.working_days_between(dt.date(2026, 9, 30), dt.date(2026, 10, 12))
    assert (paused.days, paused.provisional) == (4, False)  # 8, 9, 10 and 12 October
    moved = calendar.add_working_days(dt.date(2026, 9, 29), 5 + paused.days).due
    assert moved == dt.date(2026, 10, 16)
    expect(due_by(citizen)).to_have_text("2026-10-16")

    reviewer.reload()
    expect(reviewer.get_by_role("link", name="Sign in")).to_be_visible()  # a week has passed
    reviewer = new_page()
    staff_sign_in(reviewer, w.reviewer, None)
    reviewer.goto(f"/staff/workbench/cases/{application.pk}/")
    case = reviewer.get_by_role("region", name="Case")
    expect(case).to_contain_text("Accepted, in review")
    expect(due_by(case)).to_have_text("2026-10-16")
    expect(case).to_contain_text("4 working days left")
    application.refresh_from_db()
    assert (application.status, application.paused_on, application.paused_days) == (
        A.IN_REVIEW,
        None,
        4,
    )


# --- Every lifecycle page in Chinese, at a desk and on a phone ------------------------------

# Words that may stay Latin on a Chinese page: codes, file types, brand and format names.
LATIN_ALLOWED = {"One", "Window", "PDF", "pdf", "jpg", "png", "QR", "English", "API", "USCC"}


def english_left(page) -> list[str]:
    text = re.sub(r"https?://\S+", "", page.locator("body").inner_text())
    words = re.findall(r"(?<![\w@./-])[A-Za-z][a-z]{2,}(?![\w@.-])", text)
    return sorted({w for w in words if w not in LATIN_ALLOWED})


def facts(page, label: str):
    return page.locator("dt", has_text=label).first.locator("xpath=following-sibling::dd[1]")


def in_chinese(new_page, user=None):
    """A page in the site's default language, signed in as ``user`` (English sign-in form)."""
    from django.conf import settings

    page = new_page("en")
    if user is not None:
        page.goto("/accounts/login/")
        sign_in(page, user.email, PASSWORD)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.context.clear_cookies(name=settings.LANGUAGE_COOKIE_NAME)
    return page


def test_every_lifecycle_page_reads_in_chinese_and_fits_a_phone(new_page, settings):
    from certificates.models import Certificate
    from services import drafts, materials, workflow
    from services.models.catalogue import ServiceResult
    from tests.services.cases import attach_pdf

    settings.STAFF_MFA_REQUIRED = False  # the journeys above sign staff in with it
    w = certificate_world()
    w.service.form_definition = {"fields": [field("applicant_name", label="申请人姓名")]}
    w.service.save()
    id_card_req = with_id_card_material(w)
    card = Certificate.objects.get(type=id_card_req.certificate_type)
    department_admin = w.department_admin

    def handed_in() -> Application:
        app = w.draft()
        attach_pdf(app, w.material, w.applicant)
        materials.attach_certificate(app, id_card_req, card, by=w.applicant)
        return drafts.submit_draft(app, by=w.applicant)

    draft = w.draft()
    submitted = handed_in()
    in_review = workflow.accept(handed_in(), by=w.clerk)
    supplement = workflow.request_supplement(
        workflow.accept(handed_in(), by=w.clerk), by=w.reviewer, items=["照片不清晰，请重新上传"]
    )
    completed = workflow.approve(
        workflow.accept(handed_in(), by=w.clerk), by=w.reviewer, opinion="材料齐全，准予许可。"
    )
    denied = workflow.deny(
        workflow.accept(handed_in(), by=w.clerk), by=w.reviewer, reason="不符合申请条件"
    )
    refused = workflow.refuse(handed_in(), by=w.clerk, reason="不属于本窗口受理范围")
    paper = world(result=ServiceResult.PAPER)
    paper.hall, paper.clerk = w.hall, w.clerk
    paper.service.halls.add(w.hall)
    paper.applicant = w.applicant
    waiting = workflow.approve(paper.accepted(), by=paper.reviewer)
    bundle, members, _clerk, _applicant = bundle_of_three()
    parent = drafts.start(by=w.applicant, bundle=bundle)
    drafts.save_answers(parent, by=w.applicant, answers={"child_name": "张小宝"})
    attach_pdf(parent, materials.requirements_of(parent)[0], w.applicant)
    parent = drafts.submit_draft(parent, by=w.applicant)
    for child in parent.children.all():
        workflow.accept(child, by=_clerk)
    child = parent.children.first()
    workflow.approve(child, by=dict(members)[child.service])
    bundle_draft = drafts.start(by=w.applicant, bundle=bundle)
    counter_draft = drafts.start(
        by=w.clerk, service=w.service, applicant=w.applicant, hall=w.hall, channel="counter"
    )

    seen: dict[str, list[str]] = {}

    def visit(page, url: str, name: str) -> None:
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, response and response.status)
        assert page.locator("html").get_attribute("lang") == "zh-Hans", name
        seen[name] = english_left(page)
        shoot(page, name)

    citizen = in_chinese(new_page, w.applicant)
    visit(citizen, f"/services/{w.service.code}/apply/", "apply-start")
    visit(citizen, f"/applications/{draft.pk}/edit/", "apply-form")
    citizen.locator("button[name=_do][value=submit]").click()
    seen["apply-errors"] = english_left(citizen)
    shoot(citizen, "apply-errors")
    visit(citizen, "/applications/", "my-applications")
    visit(citizen, f"/applications/{submitted.pk}/", "case-submitted")
    visit(citizen, f"/applications/{submitted.pk}/withdraw/", "case-withdraw")
    visit(citizen, f"/applications/{in_review.pk}/", "case-in-review")
    visit(citizen, f"/applications/{supplement.pk}/", "case-supplement")
    visit(citizen, f"/applications/{completed.pk}/", "case-completed")
    visit(citizen, f"/applications/{denied.pk}/", "case-denied")
    visit(citizen, f"/applications/{refused.pk}/", "case-refused")
    visit(citizen, f"/applications/{waiting.pk}/", "case-pickup")
    visit(citizen, f"/applications/{in_review.pk}/receipt/", "receipt-citizen")
    visit(citizen, f"/bundles/{bundle.slug}/apply/", "bundle-start")
    visit(citizen, f"/applications/{bundle_draft.pk}/edit/", "bundle-form")
    visit(citizen, f"/applications/{parent.pk}/", "bundle-parent")
    visit(citizen, f"/applications/{child.pk}/", "bundle-child")
    visit(citizen, "/notifications/", "messages")
    visit(citizen, "/wallet/", "wallet")
    anonymous = in_chinese(new_page)
    visit(anonymous, f"/track/{in_review.tracking_token}/", "track")

    clerk = in_chinese(new_page, w.clerk)
    visit(clerk, "/staff/", "staff-home-clerk")
    visit(clerk, "/staff/counter/", "intake-queue")
    visit(clerk, "/staff/counter/new/", "counter-start")
    clerk.locator("input[name=id_number]").fill(w.applicant.person_profile.reveal_id_number())
    clerk.locator("input[name=id_number]").press("Enter")
    clerk.locator("input[name=q]").fill(w.service.name)
    clerk.locator("input[name=q]").press("Enter")
    seen["counter-start-found"] = english_left(clerk)
    shoot(clerk, "counter-start-found")
    visit(clerk, f"/staff/counter/{counter_draft.pk}/", "counter-intake")
    visit(clerk, f"/staff/counter/{submitted.pk}/", "counter-decide")
    visit(clerk, f"/applications/{in_review.pk}/receipt/", "receipt")
    visit(clerk, f"/applications/{refused.pk}/notice/", "notice-refused")
    visit(clerk, "/staff/counter/pickup/", "pickup")
    clerk.locator("input[name=code-pickup_code]").fill(waiting.pickup_code)
    clerk.locator("input[name=code-pickup_code]").press("Enter")
    seen["pickup-found"] = english_left(clerk)
    shoot(clerk, "pickup-found")

    reviewer = in_chinese(new_page, w.reviewer)
    visit(reviewer, "/staff/", "staff-home-reviewer")
    visit(reviewer, "/staff/workbench/", "review-queue")
    visit(reviewer, f"/staff/workbench/cases/{in_review.pk}/", "review-case")
    visit(reviewer, f"/staff/workbench/cases/{supplement.pk}/", "review-case-supplement")
    admin = in_chinese(new_page, department_admin)
    visit(admin, "/staff/workbench/department/", "department-cases")
    visit(admin, f"/staff/workbench/cases/{in_review.pk}/", "department-case")
    visit(admin, f"/staff/workbench/cases/{completed.pk}/", "department-case-completed")

    # Words that read wrong in Chinese although they are translated.
    citizen.goto(f"/applications/{completed.pk}/")
    expect(citizen.locator(".status-tag")).to_have_text("已办结")  # not 办结时间, a date's label
    expect(facts(citizen, "申请渠道")).to_have_text("网上申请")  # not 可网办, a service's badge
    citizen.goto(f"/applications/{parent.pk}/")
    expect(citizen.locator(".next-step")).not_to_have_text("等待窗口受理")  # each child was
    rows = citizen.get_by_role("region", name="各事项办理进度").locator("tbody th")
    expect(rows).to_have_text([service.name for service, _r in members])  # the bundle's order
    admin.goto("/staff/workbench/department/")
    expect(admin.get_by_role("link", name=submitted.reference)).to_be_visible()  # not #2

    left = {name: words for name, words in seen.items() if words}
    print("English words on Chinese pages:", left)
    assert not left, f"English on Chinese pages: {left}"

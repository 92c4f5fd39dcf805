"""The window clerk's pages: intake queue, counter intake for a walk-in applicant, deciding on
intake, and the results window. A clerk sees only his halls' cases and never decides."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from portal.errors import NotAllowed
from portal.models import AuditAction, AuditEvent, StaffRole
from services import workflow
from services.models import Application, ApplicationStatus, MaterialSource
from services.models.catalogue import ServiceResult
from tests.services.cases import PDF, profile_of, staff, world
from tests.services.factories import ServiceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor is tested in test_staff_mfa


@pytest.fixture
def w():
    return world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _look_up(client, user, reason="窗口收件"):
    number = profile_of(user).reveal_id_number()
    return client.post("/staff/counter/new/", {"id_number": number, "reason": reason})


def _counter_draft(w, client) -> Application:
    _look_up(client, w.applicant)
    response = client.post("/staff/counter/new/draft/", {"service": w.service.code})
    assert response.status_code == 302
    return Application.objects.get(applicant=w.applicant, channel="counter")


# --- Counter intake ------------------------------------------------------------------------


def test_a_clerk_takes_in_a_walk_in_application_ticks_the_checklist_and_accepts(w):
    clerk = client_for(w.clerk)
    assert _look_up(clerk, w.applicant).status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.clerk, subject=w.applicant
    ).exists()
    page = clerk.get("/staff/counter/new/", {"q": w.service.name})
    assert w.service.code in page.content.decode()
    assert profile_of(w.applicant).reveal_id_number() not in page.content.decode()

    app = _counter_draft(w, clerk)
    assert (app.status, app.taken_in_by, app.hall) == (A.DRAFT, w.clerk, w.hall)
    response = clerk.post(
        f"/staff/counter/{app.pk}/",
        {
            "applicant_name": "张小明",
            f"seen-{w.material.pk}": "on",
            f"copy-{w.material.pk}": "on",
            "action": "hand_in",
        },
    )
    assert response.status_code == 302, response.content.decode()
    app.refresh_from_db()
    assert app.status == A.SUBMITTED
    material = app.materials.get()
    assert (material.source, material.original_seen, material.copy_taken) == (
        MaterialSource.PAPER,
        True,
        True,
    )

    response = clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "accept"})
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{app.pk}/receipt/"
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW and app.acceptance_number
    assert app.events.get(action="accept").actor == w.clerk


def test_a_second_start_for_the_same_citizen_and_service_opens_the_same_draft(w):
    clerk = client_for(w.clerk)
    first = _counter_draft(w, clerk)
    again = clerk.post("/staff/counter/new/draft/", {"service": w.service.code})
    assert again["Location"] == f"/staff/counter/{first.pk}/"
    assert Application.objects.filter(applicant=w.applicant).count() == 1


def test_a_draft_cannot_be_started_before_the_applicant_is_looked_up(w):
    response = client_for(w.clerk).post(
        "/staff/counter/new/draft/", {"service": w.service.code}, follow=True
    )
    assert "Look the applicant up by the number on their ID card first." in _messages(response)
    assert not Application.objects.exists()


def test_only_services_of_his_hall_can_be_started(w):
    elsewhere = ServiceFactory()
    clerk = client_for(w.clerk)
    _look_up(clerk, w.applicant)
    assert elsewhere.code not in clerk.get("/staff/counter/new/").content.decode()
    response = clerk.post("/staff/counter/new/draft/", {"service": elsewhere.code})
    assert response.status_code == 404


def test_handing_in_without_the_required_material_names_it_and_keeps_the_answers(w):
    clerk = client_for(w.clerk)
    app = _counter_draft(w, clerk)
    response = clerk.post(
        f"/staff/counter/{app.pk}/", {"applicant_name": "张小明", "action": "hand_in"}
    )
    assert response.status_code == 400
    assert "The application is not complete yet: see each field." in _messages(response)
    app.refresh_from_db()
    assert app.status == A.DRAFT and app.answers == {"applicant_name": "张小明"}


def test_a_scan_at_the_counter_is_stored_and_a_lying_one_is_refused(w):
    clerk = client_for(w.clerk)
    app = _counter_draft(w, clerk)
    fake = io.BytesIO(b"MZ not a pdf at all")
    fake.name = "scan.pdf"
    response = clerk.post(
        f"/staff/counter/{app.pk}/",
        {"applicant_name": "张小明", f"file-{w.material.pk}": fake, "action": "save"},
    )
    assert response.status_code == 400
    assert (
        "This file is not one of the accepted types (PDF, JPG, PNG)." in response.content.decode()
    )
    assert not app.materials.exists()
    scan = io.BytesIO(PDF)
    scan.name = "scan.pdf"
    response = clerk.post(
        f"/staff/counter/{app.pk}/",
        {"applicant_name": "张小明", f"file-{w.material.pk}": scan, "action": "hand_in"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == A.SUBMITTED
    assert app.materials.get().source == MaterialSource.UPLOAD


# --- Online applications in the queue -----------------------------------------------------


def test_the_queue_lists_his_halls_cases_oldest_first(w):
    first, second = w.submitted(), w.submitted()
    other = world().submitted()
    html = client_for(w.clerk).get("/staff/counter/").content.decode()
    assert html.index(f"/staff/counter/{first.pk}/") < html.index(f"/staff/counter/{second.pk}/")
    assert f"/staff/counter/{other.pk}/" not in html


def test_the_queue_pages_in_constant_queries(w, django_assert_max_num_queries):
    for _ in range(12):
        w.submitted()
    clerk = client_for(w.clerk)
    clerk.get("/staff/counter/")  # warm the session and the user's roles
    for size in (2, 10):
        with django_assert_max_num_queries(12):
            response = clerk.get("/staff/counter/", {"page_size": size})
        assert len(response.context["page"].object_list) == size


def test_an_online_application_shows_its_answers_and_materials_and_is_accepted(w):
    app = w.submitted()
    clerk = client_for(w.clerk)
    html = clerk.get(f"/staff/counter/{app.pk}/").content.decode()
    assert "张小明" in html and "身份证复印件" in html
    assert 'name="applicant_name"' not in html  # no form to fill: the applicant did it
    clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "accept"})
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW and app.taken_in_by == w.clerk


def test_an_applicants_online_draft_is_not_the_clerks_business(w):
    draft = w.draft()
    assert client_for(w.clerk).get(f"/staff/counter/{draft.pk}/").status_code == 404


def test_another_halls_clerk_gets_404_everywhere(w):
    app = w.submitted()
    other_clerk = client_for(staff(StaffRole.CLERK, hall=world().hall))
    assert other_clerk.get(f"/staff/counter/{app.pk}/").status_code == 404
    assert (
        other_clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "accept"}).status_code
        == 404
    )
    assert other_clerk.get(f"/applications/{app.pk}/receipt/").status_code == 404
    app.refresh_from_db()
    assert app.status == A.SUBMITTED


def test_someone_who_is_not_a_clerk_may_not_use_the_window(w):
    reviewer = client_for(w.reviewer)
    assert reviewer.get("/staff/counter/").status_code == 403
    assert reviewer.get("/staff/counter/pickup/").status_code == 403


# --- Supplement and refusal at intake ------------------------------------------------------


def test_a_supplement_request_lists_every_item_on_one_notice(w):
    app = w.submitted()
    response = client_for(w.clerk).post(
        f"/staff/counter/{app.pk}/decide/",
        {"action": "supplement", "items": "身份证复印件不清晰\n\n缺少户口簿首页\n"},
    )
    assert response["Location"] == f"/applications/{app.pk}/notice/"
    app.refresh_from_db()
    assert app.status == A.AWAITING_SUPPLEMENT
    assert app.supplement_items == ["身份证复印件不清晰", "缺少户口簿首页"]


def test_refusing_needs_a_reason_and_nothing_changes_without_one(w):
    app = w.submitted()
    clerk = client_for(w.clerk)
    response = clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "refuse", "reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    app.refresh_from_db()
    assert app.status == A.SUBMITTED
    response = clerk.post(
        f"/staff/counter/{app.pk}/decide/", {"action": "refuse", "reason": "不属于本部门职权范围"}
    )
    assert response["Location"] == f"/applications/{app.pk}/notice/"
    app.refresh_from_db()
    assert (app.status, app.status_reason) == (A.NOT_ACCEPTED, "不属于本部门职权范围")


def test_accepting_twice_says_so_instead_of_failing(w):
    app = w.submitted()
    clerk = client_for(w.clerk)
    clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "accept"})
    response = clerk.post(f"/staff/counter/{app.pk}/decide/", {"action": "accept"})
    assert response.status_code == 409
    assert "An application that is “Accepted, in review” cannot be accepted." in _messages(response)


# --- A clerk never reviews or decides --------------------------------------------------------


def test_a_clerk_cannot_approve_or_deny(w):
    app = w.accepted()
    with pytest.raises(NotAllowed):
        workflow.approve(app, by=w.clerk)
    with pytest.raises(NotAllowed):
        workflow.deny(app, by=w.clerk, reason="不符合条件")
    response = client_for(w.clerk).post(f"/staff/counter/{app.pk}/decide/", {"action": "approve"})
    assert response.status_code in (400, 404)
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW and app.decided_at is None


# --- The results window -----------------------------------------------------------------------


@pytest.fixture
def paper():
    return world(result=ServiceResult.PAPER)


def _waiting(paper) -> Application:
    app = workflow.approve(paper.accepted(), by=paper.department_admin)
    assert app.status == A.RESULT_ISSUED and app.pickup_code
    return app


def test_a_result_found_by_pickup_code_is_handed_over_and_the_case_completes(paper):
    app = _waiting(paper)
    clerk = client_for(paper.clerk)
    response = clerk.post(
        "/staff/counter/pickup/", {"by": "code", "code-pickup_code": app.pickup_code}
    )
    assert app.acceptance_number in response.content.decode()
    response = clerk.post(f"/staff/counter/pickup/{app.pk}/hand-over/", follow=True)
    app.refresh_from_db()
    assert app.status == A.COMPLETED and app.handed_over_at is not None
    assert any("The case is completed." in m for m in _messages(response))


def test_a_result_is_found_by_the_applicants_id_number_with_an_audit_row(paper):
    app = _waiting(paper)
    response = client_for(paper.clerk).post(
        "/staff/counter/pickup/",
        {
            "by": "person",
            "person-id_number": profile_of(paper.applicant).reveal_id_number(),
            "person-reason": "领取结果",
        },
    )
    assert app.acceptance_number in response.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=paper.clerk, subject=paper.applicant
    ).exists()


def test_a_wrong_pickup_code_is_a_clear_message(paper):
    response = client_for(paper.clerk).post(
        "/staff/counter/pickup/", {"by": "code", "code-pickup_code": "12ab"}
    )
    assert response.status_code == 400
    assert "A pickup code has 8 digits." in response.content.decode()


def test_another_halls_clerk_cannot_find_or_hand_over_the_result(paper):
    app = _waiting(paper)
    other = client_for(staff(StaffRole.CLERK, hall=world().hall))
    response = other.post(
        "/staff/counter/pickup/", {"by": "code", "code-pickup_code": app.pickup_code}
    )
    assert app.acceptance_number not in response.content.decode()
    assert other.post(f"/staff/counter/pickup/{app.pk}/hand-over/").status_code == 404
    app.refresh_from_db()
    assert app.status == A.RESULT_ISSUED

"""The back office's pages: the reviewer's queue, the department administrator's cases, and
one case with claim, release, reassign, approve, deny and supplement."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certificates.models import CertificateUse
from portal.models import AuditAction, AuditEvent, StaffRole
from services import routing, workflow
from services.models import Application, ApplicationStatus
from services.models.applications import SlaLevel
from tests.services.cases import staff, world
from tests.services.factories import field
from tests.services.review_cases import sign_in, with_certificate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False  # tested on its own below


@pytest.fixture
def w():
    return world()


def case_url(app, action=""):
    name = f"services:workbench_{action}" if action else "services:workbench_case"
    return reverse(name, args=[app.pk])


def page(response) -> str:
    return response.content.decode()


# --- The queue ------------------------------------------------------------------------------


def test_the_reviewer_sees_the_case_routed_to_him_in_his_queue(client, w):
    app = w.accepted()
    assert Application.objects.get(pk=app.pk).assigned_to == w.reviewer
    sign_in(client, w.reviewer)

    response = client.get(reverse("services:workbench"))

    assert response.status_code == 200
    assert str(app) in page(response)
    assert case_url(app) in page(response)
    assert "Me" in page(response)


def test_the_tabs_split_his_cases_from_the_unassigned(client, w):
    mine = w.accepted()
    free = w.accepted()
    routing.release(Application.objects.get(pk=free.pk), by=w.reviewer)
    sign_in(client, w.reviewer)

    assigned = page(client.get(reverse("services:workbench"), {"tab": "mine"}))
    unassigned = page(client.get(reverse("services:workbench"), {"tab": "unassigned"}))
    everything = page(client.get(reverse("services:workbench"), {"tab": "all"}))

    assert case_url(mine) in assigned and case_url(free) not in assigned
    assert case_url(free) in unassigned and case_url(mine) not in unassigned
    assert case_url(mine) in everything and case_url(free) in everything


def test_the_queue_filters_by_sla_status_and_service_and_counts_yellow_and_red(client, w):
    on_time, due_soon, overdue = w.accepted(), w.accepted(), w.accepted()
    Application.objects.filter(pk=due_soon.pk).update(sla=SlaLevel.DUE_SOON)
    Application.objects.filter(pk=overdue.pk).update(sla=SlaLevel.OVERDUE)
    other = world()
    sign_in(client, w.reviewer)
    url = reverse("services:workbench")

    red = client.get(url, {"tab": "all", "sla": "overdue"})
    assert red.context["counts"] == {"on_time": 1, "due_soon": 1, "overdue": 1, "unassigned": 0}
    assert [row.case.pk for row in red.context["rows"]] == [overdue.pk]
    # The colour is said in words too, not by colour alone.
    assert "Overdue" in page(red) and "sla-overdue" in page(red)
    yellow = client.get(url, {"tab": "all", "sla": "due_soon"})
    assert [row.case.pk for row in yellow.context["rows"]] == [due_soon.pk]
    assert "Due within one working day" in page(yellow)
    in_supplement = client.get(url, {"tab": "all", "status": A.REVIEW_SUPPLEMENT})
    assert in_supplement.context["rows"] == []
    by_service = client.get(url, {"tab": "all", "service": other.service.pk})
    assert by_service.context["rows"] == []
    everything = client.get(url, {"tab": "all", "service": w.service.pk, "sla": "nonsense"})
    assert {row.case.pk for row in everything.context["rows"]} == {
        on_time.pk,
        due_soon.pk,
        overdue.pk,
    }


def test_each_row_shows_the_working_days_left(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)
    response = client.get(reverse("services:workbench"))
    [row] = response.context["rows"]
    assert row.left is not None and row.left.days == 5
    assert "5 working days left" in page(response)
    assert Application.objects.get(pk=app.pk).due_date.strftime("%Y-%m-%d") in page(response)


def test_the_queue_pages_by_twenty_with_the_same_number_of_queries(
    client, w, django_assert_max_num_queries
):
    # Cases go to two reviewers in turn: each row names its reviewer (masked).
    staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, w.reviewer)
    url = reverse("services:workbench")
    w.accepted()
    with django_assert_max_num_queries(14) as one:
        client.get(url, {"tab": "all"})
    for _ in range(24):
        w.accepted()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url, {"tab": "all"})
    assert len(response.context["rows"]) == 20
    assert response.context["page"].paginator.count == 25
    second = client.get(url, {"tab": "all", "page": 2})
    assert len(second.context["rows"]) == 5


def test_a_citizen_and_a_clerk_get_no_queue(client, w):
    for user in (w.applicant, w.clerk):
        sign_in(client, user)
        assert client.get(reverse("services:workbench")).status_code == 403
        assert client.get(reverse("services:workbench_department")).status_code == 403


def test_the_workbench_asks_staff_for_their_second_factor(client, w, settings):
    settings.STAFF_MFA_REQUIRED = True
    sign_in(client, w.reviewer)
    response = client.get(reverse("services:workbench"))
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"] or "reauthenticate" in response["Location"]


# --- Claim and release ----------------------------------------------------------------------


def test_a_reviewer_claims_an_unassigned_case_and_releases_it(client, w):
    app = w.accepted()
    routing.release(Application.objects.get(pk=app.pk), by=w.reviewer)
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, colleague)
    queue_url = reverse("services:workbench") + "?tab=unassigned"

    claimed = client.post(case_url(app, "claim"), {"next": queue_url})

    assert claimed.status_code == 302 and claimed["Location"] == queue_url
    assert Application.objects.get(pk=app.pk).assigned_to == colleague
    released = client.post(case_url(app, "release"))
    assert released["Location"] == case_url(app)
    assert Application.objects.get(pk=app.pk).assigned_to is None


def test_claiming_a_case_another_reviewer_has_is_refused_with_409(client, w):
    app = w.accepted()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, colleague)

    response = client.post(case_url(app, "claim"))

    assert response.status_code == 409
    assert "Another reviewer has this case already." in page(response)
    assert Application.objects.get(pk=app.pk).assigned_to == w.reviewer


def test_a_claim_never_redirects_off_the_site(client, w):
    app = w.accepted()
    routing.release(Application.objects.get(pk=app.pk), by=w.reviewer)
    sign_in(client, w.reviewer)
    response = client.post(case_url(app, "claim"), {"next": "https://evil.example/"})
    assert response["Location"] == case_url(app)


# --- The case -------------------------------------------------------------------------------


def test_a_case_outside_his_categories_is_not_found(client, w):
    app = w.accepted()
    other = world()
    sign_in(client, other.reviewer)
    assert client.get(case_url(app)).status_code == 404
    for action in ("claim", "release", "approve", "deny", "supplement", "reassign"):
        assert client.post(case_url(app, action), {"deny-reason": "x"}).status_code == 404
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW
    sign_in(client, w.applicant)
    assert client.get(case_url(app)).status_code == 404


def test_the_case_shows_the_applicant_masked_and_audits_the_read(client, w):
    app = w.accepted()
    profile = w.applicant.person_profile
    sign_in(client, w.reviewer)

    response = client.get(case_url(app))

    text = page(response)
    assert profile.id_number_masked in text and profile.reveal_id_number() not in text
    assert "张*明" in text and "张小明" in text  # the masked name; the answer as given
    assert "审核" in text  # the current review step
    audit = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.reviewer)
    assert audit.subject == w.applicant
    assert audit.detail["application_id"] == app.pk


def test_id_and_mobile_numbers_among_the_answers_are_masked(client, w):
    app = w.accepted()
    w.service.form_definition = {
        "fields": [field("applicant_name"), field("id_no", "id_number"), field("mobile", "phone")]
    }
    w.service.save()
    number = w.applicant.person_profile.reveal_id_number()
    Application.objects.filter(pk=app.pk).update(
        answers={"applicant_name": "张小明", "id_no": number, "mobile": "13812345678"}
    )
    sign_in(client, w.reviewer)

    text = page(client.get(case_url(app)))

    assert number not in text and "13812345678" not in text
    assert number[:4] in text and "138****5678" in text


def test_a_refused_case_read_writes_no_audit_row(client, w):
    app = w.accepted()
    other = world()
    sign_in(client, other.reviewer)
    client.get(case_url(app))
    assert not AuditEvent.objects.filter(actor=other.reviewer).exists()


def test_a_certificate_instead_of_a_copy_shows_its_verified_data_and_logs_the_use(client, w):
    app, _form, certificate = with_certificate(w)
    sign_in(client, w.reviewer)

    text = page(client.get(case_url(app)))

    assert "This certificate is genuine and valid." in text
    assert "Verifies against the published key of its issuer" in text
    assert "广州市天河区天河路1号" in text  # a surface field
    assert "Issued by 广州市公安局" in text  # its source
    assert certificate.identifier in text
    use = CertificateUse.objects.get(certificate=certificate)
    assert (use.reader, use.department) == (w.reviewer, w.department)
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.reviewer, fields=["certificate"]
    ).exists()


def test_a_withdrawn_consent_shows_no_certificate_data(client, w):
    from certificates import consents

    app, _form, certificate = with_certificate(w)
    grant = app.materials.get(source="certificate").grant
    consents.withdraw(grant, by=w.applicant)
    sign_in(client, w.reviewer)

    text = page(client.get(case_url(app)))

    assert "consent no longer lets your department read this certificate" in text
    assert "广州市天河区天河路1号" not in text
    assert not CertificateUse.objects.filter(certificate=certificate).exists()


def test_an_upload_is_offered_as_a_download_beside_the_answers(client, w):
    app, form, _certificate = with_certificate(w)
    upload = app.materials.get(requirement=form)
    sign_in(client, w.reviewer)
    text = page(client.get(case_url(app)))
    assert reverse("services:material_download", args=[upload.pk]) in text


def test_the_history_lists_every_event_with_its_words(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)
    text = page(client.get(case_url(app)))
    for word in ("Application handed in", "Accepted by the service window", "Sent to the"):
        assert word in text


# --- Decisions ------------------------------------------------------------------------------


def test_approving_through_the_page_decides_and_returns_to_the_queue(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)

    response = client.post(case_url(app, "approve"), {"approve-opinion": "材料齐全"})

    done = Application.objects.get(pk=app.pk)
    assert done.status == A.COMPLETED
    assert done.events.get(action="approve").opinion == "材料齐全"
    assert response["Location"] == reverse("services:workbench")
    followed = client.get(response["Location"])
    assert f"{done} approved: now “Completed”." in page(followed)


def test_approving_a_first_step_passes_it_and_stays_on_the_case_for_the_admin(client):
    w = world(steps=2)
    app = w.accepted()
    sign_in(client, w.department_admin)

    response = client.post(case_url(app, "approve"), {"approve-opinion": ""})

    moved = Application.objects.get(pk=app.pk)
    assert (moved.status, moved.review_step.name) == (A.IN_REVIEW, "审批2")
    assert response["Location"] == case_url(app)


def test_denying_needs_a_reason(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)

    empty = client.post(case_url(app, "deny"), {"deny-reason": "  "})

    assert empty.status_code == 400
    assert "This field is required." in page(empty)
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW
    client.post(case_url(app, "deny"), {"deny-reason": "不符合条件"})
    denied = Application.objects.get(pk=app.pk)
    assert (denied.status, denied.status_reason) == (A.DENIED, "不符合条件")


def test_a_supplement_request_lists_one_item_a_line_and_pauses_the_clock(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)

    response = client.post(
        case_url(app, "supplement"),
        {"supplement-items": "身份证复印件不清晰\n\n缺少户口簿\n", "supplement-opinion": ""},
    )

    back = Application.objects.get(pk=app.pk)
    assert back.status == A.REVIEW_SUPPLEMENT
    assert back.supplement_items == ["身份证复印件不清晰", "缺少户口簿"]
    assert back.paused_on is not None
    text = page(client.get(response["Location"]))
    assert "缺少户口簿" in text and "clock paused" in text


def test_an_empty_supplement_request_is_refused_with_the_form_again(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)
    response = client.post(case_url(app, "supplement"), {"supplement-items": ""})
    assert response.status_code == 400
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW


def test_a_reviewer_who_has_not_claimed_the_case_may_not_decide_it(client, w):
    app = w.accepted()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, colleague)

    response = client.post(case_url(app, "approve"), {"approve-opinion": ""})

    assert response.status_code == 403
    assert "You may not do this to this application." in page(response)
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW


def test_approving_a_case_in_supplement_is_an_illegal_move_409(client, w):
    app = w.accepted()
    workflow.request_supplement(app, by=w.reviewer, items=["缺少户口簿"])
    sign_in(client, w.reviewer)

    response = client.post(case_url(app, "approve"), {"approve-opinion": ""})

    assert response.status_code == 409
    assert "cannot be approved" in page(response)
    assert Application.objects.get(pk=app.pk).status == A.REVIEW_SUPPLEMENT


def test_the_decision_forms_show_only_to_whoever_may_decide(client, w):
    app = w.accepted()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, w.reviewer)
    assert case_url(app, "approve") in page(client.get(case_url(app)))
    sign_in(client, colleague)
    text = page(client.get(case_url(app)))
    assert case_url(app, "approve") not in text
    assert "Claim this case to decide it" in text


# --- The department administrator ---------------------------------------------------------


def test_the_department_lists_every_case_with_unassigned_and_overdue_tabs(client, w):
    routed, free, late = w.accepted(), w.accepted(), w.accepted()
    routing.release(Application.objects.get(pk=free.pk), by=w.reviewer)
    Application.objects.filter(pk=late.pk).update(sla=SlaLevel.OVERDUE)
    draftless = w.submitted()  # not yet accepted: in the department's list, not a queue's
    sign_in(client, w.department_admin)
    url = reverse("services:workbench_department")

    everything = client.get(url)
    unassigned = client.get(url, {"tab": "unassigned"})
    overdue = client.get(url, {"tab": "overdue"})

    assert {r.case.pk for r in everything.context["rows"]} == {
        routed.pk,
        free.pk,
        late.pk,
        draftless.pk,
    }
    assert [r.case.pk for r in unassigned.context["rows"]] == [free.pk]
    assert [r.case.pk for r in overdue.context["rows"]] == [late.pk]
    assert everything.context["counts"]["overdue"] == 1
    assert everything.context["counts"]["unassigned"] == 1


def test_the_department_filters_by_reviewer_and_status(client, w):
    mine, free = w.accepted(), w.accepted()
    routing.release(Application.objects.get(pk=free.pk), by=w.reviewer)
    sign_in(client, w.department_admin)
    url = reverse("services:workbench_department")
    by_reviewer = client.get(url, {"reviewer": w.reviewer.pk})
    assert [r.case.pk for r in by_reviewer.context["rows"]] == [mine.pk]
    in_review = client.get(url, {"status": A.IN_REVIEW})
    assert {r.case.pk for r in in_review.context["rows"]} == {mine.pk, free.pk}


def test_the_department_list_keeps_its_queries_constant(client, w, django_assert_max_num_queries):
    sign_in(client, w.department_admin)
    url = reverse("services:workbench_department")
    w.accepted()
    # 16: the header's "acting for" list and the overdue-rectification notice
    with django_assert_max_num_queries(16) as one:
        client.get(url)
    for _ in range(24):
        w.accepted()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 20


def test_a_reviewer_is_not_a_department_administrator(client, w):
    sign_in(client, w.reviewer)
    assert client.get(reverse("services:workbench_department")).status_code == 403


def test_the_administrator_reassigns_a_case_to_a_reviewer_of_its_queue(client, w):
    app = w.accepted()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    outsider = staff(StaffRole.REVIEWER, department=w.department, categories=[world().category])
    sign_in(client, w.department_admin)

    form = client.get(case_url(app)).context["reassign_form"]
    choices = {value for value, _label in form.fields["reviewer"].choices if value}
    assert choices == {w.reviewer.pk, colleague.pk}  # only the queue's reviewers

    refused = client.post(case_url(app, "reassign"), {"reassign-reviewer": outsider.pk})
    assert refused.status_code == 400
    assert Application.objects.get(pk=app.pk).assigned_to == w.reviewer

    client.post(case_url(app, "reassign"), {"reassign-reviewer": colleague.pk})
    assert Application.objects.get(pk=app.pk).assigned_to == colleague


def test_a_reviewer_cannot_reassign(client, w):
    app = w.accepted()
    colleague = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    sign_in(client, w.reviewer)
    assert "reassign_form" not in client.get(case_url(app)).context
    response = client.post(case_url(app, "reassign"), {"reassign-reviewer": colleague.pk})
    assert response.status_code == 403
    assert Application.objects.get(pk=app.pk).assigned_to == w.reviewer


def test_the_staff_home_links_reviewers_and_administrators_to_their_lists(client, w):
    sign_in(client, w.reviewer)
    text = page(client.get(reverse("portal:staff_home")))
    assert reverse("services:workbench") in text
    assert reverse("services:workbench_department") not in text
    sign_in(client, w.department_admin)
    text = page(client.get(reverse("portal:staff_home")))
    assert reverse("services:workbench_department") in text


def test_the_last_approval_asks_for_the_certificate_fields_the_form_did_not(client):
    from certificates.models import Certificate
    from tests.services.cases import certificate_world

    w = certificate_world()
    ctype = w.service.result_certificate_type
    ctype.fields = [
        *ctype.fields,
        {
            "name": "registered_on",
            "label": "登记日期",
            "label_en": "Registered on",
            "type": "date",
            "required": True,
        },
    ]
    ctype.save()
    app = w.accepted()
    sign_in(client, w.reviewer)
    shown = page(client.get(case_url(app)))
    assert "Certificate: Registered on" in shown
    assert 'value="张小明"' in shown  # the answer naming a surface field, prefilled
    missing = client.post(case_url(app, "approve"), {"approve-surface_applicant_name": "张小明"})
    assert missing.status_code == 400
    assert Certificate.objects.count() == 0
    done = client.post(
        case_url(app, "approve"),
        {"approve-surface_applicant_name": "张小明", "approve-surface_registered_on": "2026-12-01"},
    )
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == A.COMPLETED
    assert app.result_certificate.surface == {
        "applicant_name": "张小明",
        "registered_on": "2026-12-01",
    }


def test_a_step_before_the_last_asks_for_no_certificate_fields(client):
    from tests.services.cases import certificate_world

    w = certificate_world()
    from tests.services.factories import ReviewStepFactory

    ReviewStepFactory(service=w.service, order=2, name="审批", department=w.department)
    app = w.accepted()
    sign_in(client, w.reviewer)
    assert "Certificate:" not in page(client.get(case_url(app)))

"""Defects a review of the lifecycle found, each pinned: separation of duties between the
reviewer's and the administrator's steps, drafts staying the applicant's own, bundle parents
moved only through their children, staff reads outside /staff/, and odd input."""

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from portal.errors import IllegalMove, Invalid, NotAllowed
from portal.models import StaffRole
from services import drafts, routing, workflow
from services.models import ApplicationStatus
from tests.services.cases import attach_pdf, staff, world
from tests.services.factories import ReviewStepFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_cannot_take_or_decide_the_administrators_approval_step():
    w = world()
    ReviewStepFactory(service=w.service, order=2, name="审批", role=StaffRole.DEPARTMENT_ADMIN)
    app = workflow.approve(w.accepted(), by=w.reviewer)  # 审核 passed
    app.refresh_from_db()
    assert app.review_step.order == 2 and app.assigned_to == w.department_admin
    routing.release(app, by=w.department_admin)
    with pytest.raises(NotAllowed):
        routing.claim(app, by=w.reviewer)
    app.assigned_to = w.reviewer  # even if it were his
    app.save()
    with pytest.raises(NotAllowed):
        workflow.approve(app, by=w.reviewer)
    from services import application_selectors

    assert not application_selectors.review_queue(w.reviewer).filter(pk=app.pk).exists()
    assert workflow.approve(app, by=w.department_admin).status == A.COMPLETED


def test_steps_given_the_same_order_both_run():
    w = world()
    second = ReviewStepFactory(service=w.service, order=1, name="复核")
    app = workflow.approve(w.accepted(), by=w.reviewer)
    assert (app.status, app.review_step) == (A.IN_REVIEW, second)


def test_a_service_without_review_steps_cannot_be_accepted_into_nowhere():
    w = world()
    w.service.review_steps.all().delete()
    app = w.submitted()
    with pytest.raises(Invalid):
        workflow.accept(app, by=w.clerk)
    app.refresh_from_db()
    assert app.status == A.SUBMITTED


def test_the_hall_clerk_cannot_read_an_online_draft_or_its_upload(settings):
    settings.STAFF_MFA_REQUIRED = False
    w = world()
    app = w.draft()
    material = attach_pdf(app, w.material, w.applicant)
    clerk = signed_in(w.clerk)
    assert clerk.get(reverse("services:application_detail", args=[app.pk])).status_code == 404
    assert clerk.get(reverse("services:material_download", args=[material.pk])).status_code == 404
    assert clerk.get(f"/api/v1/applications/{app.pk}/").status_code == 404
    submitted = drafts.submit_draft(app, by=w.applicant)
    assert clerk.get(reverse("services:application_detail", args=[submitted.pk])).status_code == 200


def test_staff_reading_a_case_page_outside_staff_need_their_second_factor_and_are_audited(
    settings,
):
    from portal.models import AuditAction, AuditEvent

    settings.STAFF_MFA_REQUIRED = True
    w = world()
    app = w.accepted()
    url = reverse("services:application_detail", args=[app.pk])
    for user in (w.clerk, w.reviewer, w.department_admin):
        response = signed_in(user).get(url)
        assert response.status_code == 302 and "/2fa/" in response["Location"], user
    assert signed_in(w.applicant).get(url).status_code == 200
    settings.STAFF_MFA_REQUIRED = False
    assert signed_in(w.reviewer).get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.reviewer, subject=w.applicant
    ).exists()


@pytest.fixture
def bundle_case():
    from tests.services.test_bundles_lifecycle import _apply, make_bundle_world

    bundle, _members, clerk, applicant = make_bundle_world()
    return _apply(bundle, applicant, choices=[]), clerk, applicant


def test_a_bundles_parent_is_not_taken_in_itself(bundle_case):
    parent, clerk, _applicant = bundle_case
    for move in (
        lambda: workflow.accept(parent, by=clerk),
        lambda: workflow.refuse(parent, by=clerk, reason="x"),
        lambda: workflow.request_supplement(parent, by=clerk, items=["x"]),
    ):
        with pytest.raises((NotAllowed, IllegalMove)):
            move()
    parent.refresh_from_db()
    assert parent.status == A.SUBMITTED


def test_withdrawing_a_bundle_withdraws_its_open_services(bundle_case):
    parent, clerk, applicant = bundle_case
    first = parent.children.order_by("pk").first()
    workflow.refuse(first, by=clerk, reason="不在受理范围")
    workflow.withdraw(parent, by=applicant, reason="不办了")
    statuses = sorted(parent.children.values_list("status", flat=True))
    assert statuses == sorted([A.NOT_ACCEPTED, A.WITHDRAWN, A.WITHDRAWN])
    parent.refresh_from_db()
    assert parent.status == A.WITHDRAWN


@pytest.mark.parametrize("value", ["²", "٣", "１"])
def test_workbench_filters_and_certificate_references_in_odd_digits_are_no_server_error(
    settings, value
):
    settings.STAFF_MFA_REQUIRED = False
    w = world()
    reviewer = signed_in(w.reviewer)
    for query in (f"?service={value}", f"?reviewer={value}"):
        assert reviewer.get(reverse("services:workbench") + query).status_code == 200
    admin = signed_in(w.department_admin)
    assert (
        admin.get(reverse("services:workbench_department") + f"?reviewer={value}").status_code
        == 200
    )
    applicant = signed_in(w.applicant)
    response = applicant.post(
        "/api/v1/applications/",
        {
            "service": w.service.code,
            "answers": {"applicant_name": "张小明"},
            "materials": [{"requirement": w.material.key, "certificate": value}],
        },
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=f"odd-{value}",
    )
    assert response.status_code == 400


def test_a_claim_whose_next_is_not_a_path_goes_back_to_the_case(settings):
    settings.STAFF_MFA_REQUIRED = False
    w = world()
    app = w.accepted()
    routing.release(app, by=w.department_admin)
    other = staff(StaffRole.REVIEWER, department=w.department, categories=[w.category])
    response = signed_in(other).post(
        reverse("services:workbench_claim", args=[app.pk]), {"next": "foo"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("services:workbench_case", args=[app.pk])


def test_replacing_an_e_certificate_ends_its_consent_and_consents_outlast_the_review():
    import datetime as dt

    from django.utils import timezone

    from services import materials
    from tests.services.review_cases import id_card_for

    w = world()
    certificate = id_card_for(w)
    w.material.certificate_type = certificate.type
    w.material.save()
    app = w.draft()
    given = materials.attach_certificate(app, w.material, certificate, by=w.applicant)
    grant = given.grant
    assert grant.expires_at > timezone.now() + dt.timedelta(days=150)
    attach_pdf(app, w.material, w.applicant)  # the applicant uploads a copy instead
    grant.refresh_from_db()
    assert grant.withdrawn_at is not None


def test_each_department_of_a_bundle_gets_its_own_consent_for_a_shared_e_certificate():
    from certificates.models import CertificateGrant
    from services import materials
    from tests.services.review_cases import id_card_for
    from tests.services.test_bundles_lifecycle import make_bundle_world

    bundle, members, _clerk, applicant = make_bundle_world()
    certificate = id_card_for(SimpleNamespace(applicant=applicant))
    for service, _reviewer in members:
        service.materials.update(certificate_type=certificate.type)
    parent = drafts.start(by=applicant, bundle=bundle)
    drafts.save_answers(parent, by=applicant, answers={"child_name": "张小宝"})
    requirement = materials.requirements_of(parent)[0]
    materials.attach_certificate(parent, requirement, certificate, by=applicant)
    parent = drafts.submit_draft(parent, by=applicant)
    for child in parent.children.all():
        grant = child.materials.get().grant
        assert grant.department == child.service.department
        assert grant.withdrawn_at is None
    assert CertificateGrant.objects.filter(certificate=certificate).count() == 3


def test_notifications_lost_with_the_broker_are_sent_by_the_sweep_once(monkeypatch):
    from portal.models import Notification
    from services import tasks

    w = world()
    monkeypatch.setattr(tasks, "enqueue_after_move", lambda *args: None)  # the broker is gone
    app = w.accepted()
    assert not Notification.objects.filter(user=w.applicant).exists()
    assert tasks.notify_untold() == 2  # submitted, accepted
    assert tasks.notify_untold() == 0
    titles = set(Notification.objects.filter(user=w.applicant).values_list("title", flat=True))
    assert titles == {"Application received", "Application accepted"}
    assert app.pk


def test_an_organisations_case_is_told_to_its_representative_once_the_agent_has_left():
    from portal import organisations
    from portal.models import Notification, Organisation
    from services import notices
    from tests.factories import PersonFactory, make_uscc

    w = world()
    w.service.applicant_kind = "both"
    w.service.save()
    representative = PersonFactory().user
    organisation = Organisation.objects.create(
        uscc=make_uscc(), name="广州测试有限公司", legal_representative=representative
    )
    agent = organisations.authorise_agent(organisation, phone=w.applicant.phone, by=representative)
    app = drafts.start(by=w.applicant, service=w.service, organisation=organisation)
    drafts.save_answers(app, by=w.applicant, answers={"applicant_name": "张小明"})
    attach_pdf(app, w.material, w.applicant)
    app = drafts.submit_draft(app, by=w.applicant)
    organisations.revoke_agent(agent, by=representative)
    workflow.refuse(app, by=w.clerk, reason="材料不全")
    assert notices.recipient(app) == representative
    assert Notification.objects.filter(
        user=representative, title="Application not accepted"
    ).exists()
    assert not Notification.objects.filter(
        user=w.applicant, title="Application not accepted"
    ).exists()


def test_an_upload_request_over_the_limit_is_refused_before_it_is_read(settings):
    import io

    settings.UPLOAD_MAX_REQUEST_BYTES = 4096
    w = world()
    app = w.draft()
    client = signed_in(w.applicant)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * 8192)
    big.name = "big.pdf"
    api = client.post(
        f"/api/v1/applications/{app.pk}/materials/", {"requirement": w.material.key, "file": big}
    )
    assert api.status_code == 413 and api.json()["code"] == "request_too_large"
    big.seek(0)
    page = client.post(reverse("services:application_edit", args=[app.pk]), {"file": big})
    assert page.status_code == 413
    assert not app.materials.exists()


def test_the_api_does_not_show_the_applicant_the_back_offices_claims():
    w = world()
    app = w.accepted()
    routing.release(app, by=w.department_admin)
    routing.claim(app, by=w.reviewer)
    actions = [
        e["action"]
        for e in signed_in(w.applicant).get(f"/api/v1/applications/{app.pk}/").json()["events"]
    ]
    assert "accept" in actions
    assert not {"claim", "release", "reassign"} & set(actions)

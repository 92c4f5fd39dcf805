"""出件: approval gives the service's result, all or nothing."""

import pytest

from certificates import selectors as wallet
from certificates.models import Certificate
from portal.errors import Conflict, Invalid
from services import codes, workflow
from services.models import ApplicationStatus
from services.models.catalogue import ServiceResult
from tests.services.cases import certificate_world, world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


def test_approval_issues_the_certificate_into_the_applicants_wallet():
    w = certificate_world()
    app = workflow.approve(w.accepted(), by=w.reviewer)
    assert app.status == A.COMPLETED
    certificate = app.result_certificate
    assert certificate.surface["applicant_name"] == "张小明"
    assert certificate.issuer == w.department
    assert list(wallet.wallet(w.applicant)) == [certificate]
    # Approving again (a retry, a second reviewer) gives no second certificate.
    with pytest.raises(workflow.IllegalMove):
        workflow.approve(app, by=w.reviewer)
    assert Certificate.objects.count() == 1


def test_the_deciding_reviewer_gives_surface_fields_the_form_did_not_ask():
    w = certificate_world()
    ctype = w.service.result_certificate_type
    ctype.fields = [
        *ctype.fields,
        {"name": "registered_on", "label": "登记日期", "type": "date", "required": True},
    ]
    ctype.save()
    app = w.accepted()
    with pytest.raises(Invalid) as refused:
        workflow.approve(app, by=w.reviewer)
    assert refused.value.code == "result_not_issued"
    app.refresh_from_db()
    assert app.status == A.IN_REVIEW  # nothing half done
    assert Certificate.objects.count() == 0
    done = workflow.approve(app, by=w.reviewer, surface={"registered_on": "2026-12-01"})
    assert done.result_certificate.surface["registered_on"] == "2026-12-01"


def test_a_paper_result_waits_at_the_window_with_a_pickup_code():
    w = world(result=ServiceResult.PAPER)
    app = workflow.approve(w.accepted(), by=w.reviewer)
    assert app.status == A.RESULT_ISSUED
    assert len(app.pickup_code) == 8 and app.pickup_code.isdigit()
    with pytest.raises(workflow.NotAllowed):
        workflow.hand_over(app, by=w.reviewer)
    done = workflow.hand_over(app, by=w.clerk)
    assert (done.status, done.handed_over_at is not None) == (A.COMPLETED, True)


def test_when_no_free_pickup_code_can_be_drawn_the_approval_is_refused_and_undone(monkeypatch):
    w = world(result=ServiceResult.PAPER)
    waiting = workflow.approve(w.accepted(), by=w.reviewer)
    monkeypatch.setattr(codes, "pickup_code", lambda: waiting.pickup_code)
    case = w.accepted()
    with pytest.raises(Conflict):
        workflow.approve(case, by=w.reviewer)
    case.refresh_from_db()
    assert (case.status, case.pickup_code) == (A.IN_REVIEW, None)

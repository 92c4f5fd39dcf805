"""The certificates app refuses with the portal's shared refusals: the same answers from the
one API mapping and the one page mapping as every other app."""

import datetime

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from certificates import consents, issuing, sharing
from portal.models import StaffAssignment, StaffRole
from services import workflow
from tests.factories import PersonFactory, make_staff
from tests.services.cases import world


@pytest.fixture
def admin(issuer, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


class _Approve(APIView):
    """An application's move through DRF, as the applications API will make it."""

    def post(self, request, pk):
        from services.models import Application

        workflow.approve(Application.objects.get(pk=pk), by=request.user, opinion="")


def test_an_illegal_certificate_move_and_an_illegal_application_move_answer_alike(
    client, admin, certificate, monkeypatch
):
    issuing.revoke(certificate, by=None, reason="错误发证")
    client.force_login(admin)
    certificate_move = client.post(
        f"/api/v1/certificates/{certificate.pk}/cancel/", {"reason": "x"}, "application/json"
    )

    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, **kwargs: func())
    w = world()
    app = w.submitted()  # not yet accepted: approving it is not a move of the table
    request = APIRequestFactory().post(f"/api/v1/applications/{app.pk}/approve/")
    request.user = w.reviewer
    with pytest.MonkeyPatch.context() as m:
        m.setattr(_Approve, "authentication_classes", [])
        m.setattr(_Approve, "permission_classes", [])
        application_move = _Approve.as_view()(request, pk=app.pk)
        application_move.render()

    assert certificate_move.status_code == application_move.status_code == 409
    answers = [certificate_move.json(), application_move.data]
    assert [sorted(a) for a in answers] == [["code", "detail"], ["code", "detail"]]
    assert [a["code"] for a in answers] == ["illegal_move", "illegal_move"]
    assert answers[0]["detail"] == "A revoked certificate cannot be cancelled."
    assert "cannot be approved" in answers[1]["detail"]


def test_an_outsider_issuing_is_refused_403_in_the_api(client, settings, issuer, ctype, person):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(make_staff(StaffRole.DEPARTMENT_ADMIN))
    body = {
        "type_code": ctype.code,
        "issuer_code": issuer.code,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "idempotency_key": "k",
    }
    response = client.post("/api/v1/certificates/issue/", body, "application/json")
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "detail": "Only an administrator of the issuing department may do this.",
    }


def test_cancelling_a_revoked_certificate_from_its_page_goes_back_with_the_message(
    client, admin, certificate
):
    issuing.revoke(certificate, by=None, reason="错误发证")
    client.force_login(admin)
    page = f"/staff/certificates/{certificate.pk}/"
    url = f"/staff/certificates/{certificate.pk}/cancel/"

    back = client.post(url, {"reason": "x"}, HTTP_REFERER=f"http://testserver{page}")
    assert back.status_code == 302 and back["Location"].endswith(page)
    assert "A revoked certificate cannot be cancelled." in client.get(page).content.decode()

    without_referer = client.post(url, {"reason": "x"})
    assert without_referer.status_code == 409
    assert "A revoked certificate cannot be cancelled." in without_referer.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_another_citizen_withdrawing_a_link_or_a_consent_gets_404(
    client, certificate, person, issuer
):
    share = sharing.create(certificate, by=person.user, lifetime=datetime.timedelta(hours=1))
    grant = consents.grant(
        certificate, by=person.user, department=issuer, purpose="p", case_reference="C"
    )
    client.force_login(PersonFactory().user)
    assert client.post(f"/wallet/shares/{share.pk}/withdraw/").status_code == 404
    assert client.post(f"/wallet/grants/{grant.pk}/withdraw/").status_code == 404
    share.refresh_from_db()
    grant.refresh_from_db()
    assert share.is_live() and grant.withdrawn_at is None

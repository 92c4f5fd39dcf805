"""The printed receipt (受理回执) and the notices (不予受理通知书, 一次性告知书): what they say,
that no ID number is printed in clear, and who may open them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from services import documents, workflow
from services.models import ApplicationStatus
from tests.services.cases import at, freeze, profile_of, world
from tests.services.pdf_text import text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus


@pytest.fixture
def w():
    return world()


@pytest.fixture(autouse=True)
def _second_factor_tested_below(settings):
    settings.STAFF_MFA_REQUIRED = False


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_receipt_says_what_was_accepted_by_whom_and_until_when(w, settings):
    settings.SITE_URL = "https://ywt.example.gov.cn"
    app = w.accepted()
    html = client_for(w.applicant).get(f"/applications/{app.pk}/receipt/").content.decode()
    for fact in (
        app.acceptance_number,
        w.service.name,
        w.department.name,
        app.due_date.isoformat(),
        w.hall.name,
        "身份证复印件",
        f"https://ywt.example.gov.cn/track/{app.tracking_token}/",
        'src="data:image/png;base64,',
    ):
        assert fact in html, fact
    number = profile_of(w.applicant).reveal_id_number()
    assert number not in html
    assert profile_of(w.applicant).id_number_masked in html


def test_the_receipt_pdf_carries_the_number_and_the_materials_but_not_the_id_number(w):
    app = w.accepted()
    response = client_for(w.clerk).get(f"/applications/{app.pk}/receipt.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and b"FontFile" in response.content
    words = text(response.content)
    assert app.acceptance_number in words
    assert w.service.name in words and w.hall.name in words and "身份证复印件" in words
    assert f"/track/{app.tracking_token}/" in words
    assert profile_of(w.applicant).reveal_id_number() not in words


def test_a_due_date_beyond_the_calendar_is_marked_provisional(w, monkeypatch, english):
    freeze(monkeypatch, at(dt.date(2099, 12, 20)))
    app = w.accepted()
    assert app.due_provisional
    document = documents.receipt(app)
    promised = dict(document.facts)["Promised by"]
    assert promised.startswith(app.due_date.isoformat()) and "provisional" in promised


def test_a_case_not_accepted_has_no_receipt(w):
    app = w.submitted()
    assert client_for(w.applicant).get(f"/applications/{app.pk}/receipt/").status_code == 404
    assert client_for(w.applicant).get(f"/applications/{app.pk}/receipt.pdf").status_code == 404


def test_the_supplement_notice_lists_every_item(w):
    app = workflow.request_supplement(
        w.submitted(), by=w.clerk, items=["身份证复印件不清晰", "缺少户口簿首页"]
    )
    html = client_for(w.applicant).get(f"/applications/{app.pk}/notice/").content.decode()
    assert "<li>身份证复印件不清晰</li>" in html and "<li>缺少户口簿首页</li>" in html


def test_the_refusal_notice_gives_the_reason(w, english):
    app = workflow.refuse(w.submitted(), by=w.clerk, reason="不属于本部门职权范围")
    html = client_for(w.applicant).get(f"/applications/{app.pk}/notice/").content.decode()
    assert "Notice of non-acceptance" in html and "不属于本部门职权范围" in html


def test_the_notice_outlives_the_resubmission(w):
    app = workflow.request_supplement(w.submitted(), by=w.clerk, items=["缺少户口簿首页"])
    workflow.resubmit(app, by=w.applicant)
    html = client_for(w.applicant).get(f"/applications/{app.pk}/notice/").content.decode()
    assert "缺少户口簿首页" in html


def test_an_accepted_case_without_a_notice_has_none(w):
    app = w.accepted()
    assert client_for(w.applicant).get(f"/applications/{app.pk}/notice/").status_code == 404


def test_only_the_applicant_and_the_staff_handling_it_open_the_documents(w):
    app = w.accepted()
    for user, expected in (
        (w.applicant, 200),
        (w.clerk, 200),
        (w.department_admin, 200),
        (w.stranger, 404),
        (world().clerk, 404),
    ):
        for path in (f"/applications/{app.pk}/receipt/", f"/applications/{app.pk}/receipt.pdf"):
            assert client_for(user).get(path).status_code == expected, (user, path)
    assert Client().get(f"/applications/{app.pk}/receipt/").status_code == 302  # sign in


def test_staff_open_a_receipt_only_with_their_second_factor_and_the_read_is_audited(w, settings):
    from portal.models import AuditAction, AuditEvent

    settings.STAFF_MFA_REQUIRED = True
    app = w.accepted()
    response = client_for(w.clerk).get(f"/applications/{app.pk}/receipt/")
    assert response.status_code == 302 and "/2fa/" in response["Location"]
    assert client_for(w.applicant).get(f"/applications/{app.pk}/receipt/").status_code == 200
    settings.STAFF_MFA_REQUIRED = False
    assert client_for(w.clerk).get(f"/applications/{app.pk}/receipt.pdf").status_code == 200
    read = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.clerk)
    assert read.subject == w.applicant and read.detail["application_id"] == app.pk
    assert not AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.applicant
    ).exists()

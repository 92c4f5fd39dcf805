"""Counter intake without an ID card, and for an organisation: the clerk finds the walk-in
applicant by his account's verified mobile number or e-mail (an audited read), and takes the
application in for an organisation the applicant acts for."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from portal.models import AuditAction, AuditEvent, Organisation
from services.models import Application
from services.models.catalogue import ApplicantKind
from tests.services.cases import world
from tests.services.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now", "english")]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


@pytest.fixture
def w():
    w = world()
    w.applicant.phone, w.applicant.phone_verified = "+8613912345678", True
    w.applicant.save(update_fields=["phone", "phone_verified"])
    return w


def clerk_client(w) -> Client:
    client = Client()
    client.force_login(w.clerk)
    return client


def find(client, account: str):
    return client.post(
        "/staff/counter/new/",
        {"account-account": account, "account-reason": "窗口收件"},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_clerk_finds_the_applicant_by_his_verified_mobile_number_and_the_read_is_audited(w):
    client = clerk_client(w)
    page = find(client, "139 1234 5678")
    assert page.context["person"].user == w.applicant
    assert "13912345678" not in page.content.decode()  # shown masked, if at all
    assert AuditEvent.objects.filter(
        action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.clerk, subject=w.applicant
    ).exists()


def test_a_verified_email_finds_the_account_but_an_unverified_one_does_not(w):
    EmailAddress.objects.create(user=w.applicant, email="ming@example.cn", verified=True)
    EmailAddress.objects.create(user=w.stranger, email="other@example.cn", verified=False)
    client = clerk_client(w)
    assert find(client, "Ming@Example.cn").context["person"].user == w.applicant
    page = find(client, "other@example.cn")
    assert page.context["person"] is None
    assert any("No account signs in" in m for m in messages_of(page))
    assert not AuditEvent.objects.filter(subject=w.stranger).exists()


def test_an_unverified_mobile_number_finds_nobody(w):
    w.applicant.phone_verified = False
    w.applicant.save(update_fields=["phone_verified"])
    page = find(clerk_client(w), "13912345678")
    assert page.context["person"] is None
    assert not AuditEvent.objects.filter(subject=w.applicant).exists()


def test_a_malformed_mobile_number_is_answered_on_the_form_and_nothing_is_read(w):
    response = clerk_client(w).post(
        "/staff/counter/new/", {"account-account": "12345", "account-reason": "窗口收件"}
    )
    assert response.status_code == 400
    assert response.context["account_form"].errors["account"]
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_an_account_without_a_real_name_is_told_to_declare_one(w):
    w.stranger.person_profile.delete()
    w.stranger.refresh_from_db()
    w.stranger.phone, w.stranger.phone_verified = "+8613700000001", True
    w.stranger.save(update_fields=["phone", "phone_verified"])
    page = find(clerk_client(w), "13700000001")
    assert page.context["person"] is None
    assert any("has not declared a real name" in m for m in messages_of(page))


def test_the_clerk_takes_an_application_in_for_an_organisation_the_applicant_represents(w):
    w.service.applicant_kind = ApplicantKind.BOTH
    w.service.save(update_fields=["applicant_kind"])
    company = Organisation.objects.create(
        name="某某餐饮有限公司",
        uscc=DepartmentFactory.build().code,
        legal_representative=w.applicant,
    )
    client = clerk_client(w)
    find(client, "13912345678")
    page = client.get("/staff/counter/new/", {"as": company.pk})
    assert page.context["acting"] == company
    assert f'name="organisation" value="{company.pk}"' in page.content.decode()
    response = client.post(
        "/staff/counter/new/draft/", {"service": w.service.code, "organisation": company.pk}
    )
    assert response.status_code == 302
    draft = Application.objects.get()
    assert (draft.applicant, draft.organisation, draft.taken_in_by) == (
        w.applicant,
        company,
        w.clerk,
    )


def test_an_organisation_the_applicant_does_not_act_for_is_refused_and_nothing_is_made(w):
    elsewhere = Organisation.objects.create(
        name="别人的公司", uscc=DepartmentFactory.build().code, legal_representative=w.stranger
    )
    client = clerk_client(w)
    find(client, "13912345678")
    assert client.get("/staff/counter/new/", {"as": elsewhere.pk}).context["acting"] is None
    response = client.post(
        "/staff/counter/new/draft/",
        {"service": w.service.code, "organisation": elsewhere.pk},
        follow=True,
    )
    assert "The applicant does not act for this organisation." in messages_of(response)
    assert not Application.objects.exists()


def test_a_malformed_organisation_is_refused_with_a_message_not_an_error_page(w):
    client = clerk_client(w)
    find(client, "13912345678")
    response = client.post(
        "/staff/counter/new/draft/", {"service": w.service.code, "organisation": "x1"}, follow=True
    )
    assert response.status_code == 200
    assert "The applicant does not act for this organisation." in messages_of(response)
    assert not Application.objects.exists()

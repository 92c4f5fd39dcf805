"""Whoever holds a certificate now acts on its links and consents; whoever no longer does,
his links and consents stop; every read by someone else is audited and shown to the holder."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates import consents, issuing, sharing
from certificates.models import CertificateUse, HolderKind, ScanResult, ValidityRule
from portal import organisations
from portal.models import AuditAction, AuditEvent, StaffAssignment, StaffRole, User
from tests.certificates.conftest import make_type
from tests.factories import PersonFactory, make_id_number, make_staff, make_uscc

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def representative(db):
    return PersonFactory(legal_name="王五", verified=True).user


@pytest.fixture
def organisation(representative):
    organisation = organisations.register(representative, uscc=make_uscc(), name="广州测试有限公司")
    return organisations.confirm_at_window(organisation, by=make_staff(StaffRole.CLERK))


def _agent(organisation, representative) -> User:
    user = PersonFactory().user
    organisations.authorise_agent(organisation, phone=user.phone, by=representative)
    return user


@pytest.fixture
def agent(organisation, representative):
    return _agent(organisation, representative)


@pytest.fixture
def other_agent(organisation, representative):
    return _agent(organisation, representative)


@pytest.fixture
def licence(issuer, organisation):
    ctype = make_type(issuer, kind=HolderKind.ORGANISATION, rule=ValidityRule.LONG_TERM, seq=2)
    return issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=organisation.name,
        holder_code=organisation.uscc,
        surface={},
        by=None,
    )


@pytest.fixture
def reviewer(issuer, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.REVIEWER)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


@pytest.fixture
def administrator(issuer, settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def _grant(certificate, by, department, purpose="办理变更登记"):
    return consents.grant(
        certificate, by=by, department=department, purpose=purpose, case_reference="CASE-1"
    )


def _revoke(organisation, user, representative):
    agency = organisation.agents.get(user=user, revoked_at__isnull=True)
    organisations.revoke_agent(agency, by=representative)


# 1. Anyone who holds the certificate now acts on any of its links and consents.


def test_the_representative_and_another_agent_see_and_withdraw_an_agents_link(
    client, licence, representative, agent, other_agent
):
    first = sharing.create(licence, by=agent, lifetime=HOUR)
    second = sharing.create(licence, by=agent, lifetime=HOUR)
    client.force_login(other_agent)
    page = client.get(f"/wallet/{licence.pk}/").content.decode()
    assert f'href="/wallet/shares/{first.pk}/">Show QR code' in page
    detail = client.get(f"/wallet/shares/{first.pk}/")
    assert detail.status_code == 200 and 'src="data:image/png;base64,' in detail.content.decode()
    assert client.post(f"/wallet/shares/{first.pk}/withdraw/").status_code == 302
    client.force_login(representative)
    assert client.get(f"/wallet/shares/{second.pk}/").status_code == 200
    client.post(f"/wallet/shares/{second.pk}/withdraw/")
    for share in (first, second):
        assert sharing.open_token(share.token).outcome == "share_withdrawn"


def test_the_representative_withdraws_an_agents_consent(
    client, licence, representative, agent, issuer
):
    grant = _grant(licence, agent, issuer)
    client.force_login(representative)
    page = client.get(f"/wallet/{licence.pk}/").content.decode()
    assert f'action="/wallet/grants/{grant.pk}/withdraw/"' in page
    response = client.post(f"/wallet/grants/{grant.pk}/withdraw/", follow=True)
    assert "Your consent has been withdrawn." in response.content.decode()
    grant.refresh_from_db()
    assert grant.withdrawn_at is not None


def test_someone_who_does_not_hold_the_certificate_gets_404_and_changes_nothing(
    client, licence, organisation, representative, agent, issuer
):
    share = sharing.create(licence, by=agent, lifetime=HOUR)
    grant = _grant(licence, agent, issuer)
    former = _agent(organisation, representative)
    _revoke(organisation, former, representative)
    for outsider in (PersonFactory(verified=True).user, former):
        client.force_login(outsider)
        assert client.get(f"/wallet/shares/{share.pk}/").status_code == 404
        assert client.post(f"/wallet/shares/{share.pk}/withdraw/").status_code == 404
        assert client.post(f"/wallet/grants/{grant.pk}/withdraw/").status_code == 404
    share.refresh_from_db()
    grant.refresh_from_db()
    assert share.withdrawn_at is None and grant.withdrawn_at is None


# 2. Links and consents stop at once when whoever made them no longer holds the certificate.


def test_a_revoked_agents_links_read_as_withdrawn_everywhere(
    client, licence, organisation, representative, agent
):
    share = sharing.create(licence, by=agent, lifetime=HOUR)
    kept = sharing.create(licence, by=representative, lifetime=HOUR)
    assert sharing.open_token(share.token).outcome == "valid"
    _revoke(organisation, agent, representative)

    assert client.head(f"/verify/{share.token}/").status_code == 200
    page = client.get(f"/verify/{share.token}/").content.decode()
    assert "The holder has withdrawn this link." in page and "广州测试" not in page
    answer = client.get(f"/api/v1/certificates/verify/{share.token}/").json()
    assert (answer["outcome"], answer["genuine"]) == ("share_withdrawn", False)
    assert "certificate" not in answer
    assert list(share.scans.order_by("at", "id").values_list("result", flat=True)) == [
        ScanResult.SHOWN,
        ScanResult.WITHDRAWN,
        ScanResult.WITHDRAWN,
    ]
    assert sharing.open_token(kept.token).outcome == "valid"  # the representative's still works

    client.force_login(representative)
    listed = client.get(f"/wallet/{licence.pk}/").content.decode()
    assert "stopped: made by someone who no longer holds this certificate" in listed
    assert f'href="/wallet/shares/{share.pk}/">Show QR code' not in listed
    detail = client.get(f"/wallet/shares/{share.pk}/").content.decode()
    assert "This link has stopped working" in detail and "data:image/png" not in detail


def test_an_agent_authorised_again_does_not_revive_what_he_made_before(
    client, licence, organisation, representative, agent, issuer, reviewer
):
    old_link, old_consent = (
        sharing.create(licence, by=agent, lifetime=HOUR),
        _grant(licence, agent, issuer),
    )
    _revoke(organisation, agent, representative)
    organisations.authorise_agent(organisation, phone=agent.phone, by=representative)
    new_link = sharing.create(licence, by=agent, lifetime=HOUR)
    assert sharing.open_token(old_link.token).outcome == "share_withdrawn"
    assert sharing.open_token(new_link.token).outcome == "valid"
    client.force_login(reviewer)
    assert client.get(f"/staff/certificates/grants/{old_consent.pk}/").status_code == 404
    client.force_login(agent)
    listed = client.get(f"/wallet/{licence.pk}/").content.decode()
    assert listed.count("stopped: made by someone who no longer holds this certificate") == 1
    assert "stopped: given by someone who no longer holds this certificate" in listed


def test_a_link_stops_when_its_makers_id_number_moves_to_another_account(
    client, certificate, person
):
    share = sharing.create(certificate, by=person.user, lifetime=HOUR, one_time=True)
    number = person.reveal_id_number()
    person.set_id_number(make_id_number())  # corrected at a window: the number moves on
    person.save()
    new_home = PersonFactory(id_number=number, verified=True)
    assert sharing.open_token(share.token).outcome == "share_withdrawn"
    share.refresh_from_db()
    assert share.used_at is None  # refused before the one-time link is used up
    client.force_login(new_home.user)
    listed = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert "stopped: made by someone who no longer holds this certificate" in listed


def test_a_reviewer_cannot_read_through_a_revoked_agents_consent(
    client, licence, organisation, representative, agent, issuer, reviewer
):
    grant = _grant(licence, agent, issuer)
    _revoke(organisation, agent, representative)
    client.force_login(reviewer)
    assert client.get(f"/staff/certificates/grants/{grant.pk}/").status_code == 404
    assert not CertificateUse.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()
    client.force_login(representative)
    listed = client.get(f"/wallet/{licence.pk}/").content.decode()
    assert "stopped: given by someone who no longer holds this certificate" in listed


def test_a_consent_stops_when_its_givers_id_number_moves(client, certificate, person, reviewer):
    grant = _grant(certificate, person.user, reviewer.staff_assignments.get().department)
    person.set_id_number(make_id_number())
    person.save()
    client.force_login(reviewer)
    assert client.get(f"/staff/certificates/grants/{grant.pk}/").status_code == 404
    assert not CertificateUse.objects.exists()


def test_opening_a_link_costs_a_few_queries_whatever_it_shows(client, licence, agent):
    share = sharing.create(licence, by=agent, lifetime=HOUR)
    with CaptureQueriesContext(connection) as page:
        assert client.get(f"/verify/{share.token}/").status_code == 200
    with CaptureQueriesContext(connection) as api:
        assert client.get(f"/api/v1/certificates/verify/{share.token}/").status_code == 200
    # The key, the link, whether its maker still holds the certificate, the one-time
    # claim and the scan, with the transaction around them.
    assert len(page) <= 7 and len(api) <= 7


# 3. Every read by someone else is audited, and a department's read is in the use log.


def test_a_reviewers_read_of_an_organisations_certificate_is_audited(
    client, licence, organisation, agent, issuer, reviewer
):
    grant = _grant(licence, agent, issuer)
    client.force_login(reviewer)
    assert client.get(f"/staff/certificates/grants/{grant.pk}/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (event.actor, event.subject) == (reviewer, None)
    assert event.detail == {
        "certificate_id": licence.pk,
        "organisation_id": organisation.pk,
        "grant_id": grant.pk,
    }
    assert CertificateUse.objects.get().grant == grant


def test_the_issuers_staff_reading_a_certificate_is_audited_and_in_the_use_log(
    client, certificate, person, administrator, issuer
):
    client.force_login(administrator)
    assert client.get(f"/staff/certificates/{certificate.pk}/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (event.actor, event.subject) == (administrator, person.user)
    assert event.detail == {"certificate_id": certificate.pk}
    use = CertificateUse.objects.get()
    assert (use.reader, use.department, use.grant) == (administrator, issuer, None)
    client.force_login(person.user)
    log = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert "Administration by the issuing department" in log
    assert "No one else has read this certificate." not in log


def test_the_issuers_staff_reading_an_organisations_certificate_is_audited(
    client, licence, organisation, administrator
):
    client.force_login(administrator)
    assert client.get(f"/staff/certificates/{licence.pk}/").status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert event.subject is None
    assert event.detail == {"certificate_id": licence.pk, "organisation_id": organisation.pk}


def test_a_staff_member_reading_his_own_certificate_is_not_logged(
    client, issuer, ctype, administrator
):
    profile = PersonFactory(user=administrator, verified=True)
    own = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="张三",
        holder_code=profile.reveal_id_number(),
        surface={},
        by=None,
    )
    client.force_login(administrator)
    assert client.get(f"/staff/certificates/{own.pk}/").status_code == 200
    assert not CertificateUse.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_opening_a_certificate_in_the_admin_is_audited(client, settings, certificate, person):
    settings.STAFF_MFA_REQUIRED = False
    superuser = make_staff(StaffRole.SYSTEM_ADMIN)
    client.force_login(superuser)
    response = client.get(f"/admin/certificates/certificate/{certificate.pk}/change/")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (event.actor, event.subject, event.reason) == (superuser, person.user, "admin")
    assert not CertificateUse.objects.exists()  # an administrator reads for no department


# 4. The certificate page's lists are paginated, each on its own.


def _fill(certificate, by, department, reader, count):
    for _ in range(count):
        sharing.create(certificate, by=by, lifetime=HOUR)
        grant = _grant(certificate, by, department)
        CertificateUse.objects.create(
            certificate=certificate,
            grant=grant,
            reader=reader,
            department=department,
            purpose="办理变更登记",
        )


def test_the_certificate_page_pages_each_list_in_constant_queries(
    client, licence, representative, agent, issuer, reviewer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(representative)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/wallet/{licence.pk}/").status_code == 200
        return len(captured)

    _fill(licence, agent, issuer, reviewer, 1)
    one = queries()
    _fill(licence, agent, issuer, reviewer, 60)
    assert queries() == one


def test_each_list_has_its_own_pages_that_keep_the_others(client, certificate, person, reviewer):
    department = reviewer.staff_assignments.get().department
    _fill(certificate, person.user, department, reviewer, 55)
    client.force_login(person.user)
    first = client.get(f"/wallet/{certificate.pk}/")
    body = first.content.decode()
    assert len(first.context["shares"].page) == 20 and len(first.context["uses"].page) == 50
    for label in ("Pages of links", "Pages of consents", "Pages of the use log"):
        assert f'aria-label="{label}"' in body
    assert 'href="?shares_page=2#share-heading"' in body
    assert "Page 1 of 3" in body and "Page 1 of 2" in body

    later = client.get(f"/wallet/{certificate.pk}/", {"shares_page": 3, "grants_page": 2})
    assert len(later.context["shares"].page) == 15
    assert later.context["grants"].page.number == 2 and later.context["uses"].page.number == 1
    body = later.content.decode()
    assert 'href="?shares_page=2&amp;grants_page=2#share-heading"' in body
    assert 'href="?shares_page=3&amp;grants_page=2&amp;uses_page=2#uses-heading"' in body
    oldest = certificate.shares.order_by("created_at", "id").first()
    assert f"/wallet/shares/{oldest.pk}/" in body


def test_a_deactivated_accounts_links_and_consents_stop(client, certificate, person, reviewer):
    share = sharing.create(certificate, by=person.user, lifetime=HOUR)
    grant = _grant(certificate, person.user, reviewer.staff_assignments.get().department)
    person.user.is_active = False  # e.g. a compromised account, closed by an administrator
    person.user.save()
    assert sharing.open_token(share.token).outcome == "share_withdrawn"
    client.force_login(reviewer)
    assert client.get(f"/staff/certificates/grants/{grant.pk}/").status_code == 404

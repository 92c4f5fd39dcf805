"""Every write that changes who may see or prove something writes an audit row naming the
actor (ADR 0008): signing keys, consents, organisations, certificate types and the systems
that issue them. Each test reads the row a reviewer of the audit log would look for."""

import getpass

import pytest
from allauth.idp.oidc.models import Client
from django.core.exceptions import ValidationError
from django.core.management import call_command

from certificates import consents, issuing, keys
from certificates.models import CertificateType, IssuingSystem, SigningKey
from portal import organisations
from portal.models import AuditAction, AuditEvent, StaffRole
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory, make_staff, make_uscc

pytestmark = pytest.mark.django_db


def _only(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.get(action=action)


@pytest.fixture
def issuer():
    return DepartmentFactory(name="广州市公安局")


@pytest.fixture
def holder():
    return PersonFactory(legal_name="张三", verified=True)


@pytest.fixture
def certificate(issuer, holder):
    return issuing.issue(
        type=make_type(issuer),
        issuer=issuer,
        holder_name=holder.legal_name,
        holder_code=holder.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"},
        by=None,
    )


# Signing keys: whose signature proves a certificate.


def test_a_departments_first_key_is_recorded(issuer):
    key = keys.active_key(issuer)
    event = _only(AuditAction.SIGNING_KEY_CREATED)
    assert event.actor is None and event.subject is None
    assert event.detail == {"department_id": issuer.pk, "kid": key.kid, "alg": key.alg}
    keys.active_key(issuer)  # using it again makes nothing and records nothing
    assert AuditEvent.objects.filter(action=AuditAction.SIGNING_KEY_CREATED).count() == 1


def test_rotating_a_key_from_the_command_line_names_the_operator(issuer):
    old = keys.active_key(issuer)
    call_command("signing_keys", "rotate", issuer.code)
    new = SigningKey.objects.get(department=issuer, retired_at__isnull=True)
    event = _only(AuditAction.SIGNING_KEY_ROTATED)
    assert event.actor is None
    assert event.detail == {
        "department_id": issuer.pk,
        "kid": new.kid,
        "alg": new.alg,
        "retired_kid": old.kid,
        "operator": getpass.getuser(),
    }


def test_rotating_a_key_names_the_acting_user(issuer):
    administrator = make_staff(StaffRole.SYSTEM_ADMIN)
    key = keys.rotate(issuer, by=administrator)
    event = _only(AuditAction.SIGNING_KEY_ROTATED)
    assert (event.actor, event.detail["kid"], event.detail["retired_kid"]) == (
        administrator,
        key.kid,
        None,
    )


# Consents: which department may read a certificate.


def test_giving_and_withdrawing_consent_are_recorded(certificate, holder):
    department = DepartmentFactory(name="广州市民政局")
    grant = consents.grant(
        certificate,
        by=holder.user,
        department=department,
        purpose="办理婚姻登记",
        case_reference="CASE-9",
    )
    given = _only(AuditAction.CONSENT_GRANTED)
    assert (given.actor, given.subject) == (holder.user, holder.user)
    assert given.detail == {
        "certificate_id": certificate.pk,
        "grant_id": grant.pk,
        "department_id": department.pk,
    }
    consents.withdraw(grant, by=holder.user)
    consents.withdraw(grant, by=holder.user)  # a second withdrawal changes nothing
    withdrawn = _only(AuditAction.CONSENT_WITHDRAWN)
    assert (withdrawn.actor, withdrawn.subject) == (holder.user, holder.user)
    assert withdrawn.detail["grant_id"] == grant.pk


def test_a_refused_consent_records_nothing(certificate, holder):
    with pytest.raises(ValidationError):
        consents.grant(
            certificate,
            by=holder.user,
            department=DepartmentFactory(),
            purpose="",
            case_reference="",
        )
    assert not AuditEvent.objects.filter(action=AuditAction.CONSENT_GRANTED).exists()


# Organisations: who acts for an organisation.


def test_registering_an_organisation_is_recorded():
    representative = PersonFactory().user
    code = make_uscc()
    organisation = organisations.register(representative, uscc=code, name="广州示例餐饮有限公司")
    event = _only(AuditAction.ORGANISATION_REGISTERED)
    assert (event.actor, event.subject) == (representative, representative)
    assert event.detail == {"organisation_id": organisation.pk, "uscc": code}


def test_a_refused_registration_records_nothing():
    representative = PersonFactory().user
    code = make_uscc()
    organisations.register(representative, uscc=code, name="甲公司")
    with pytest.raises(ValidationError):
        organisations.register(PersonFactory().user, uscc=code, name="乙公司")
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_REGISTERED).count() == 1


# Certificate types and issuing systems, changed in the admin.


@pytest.fixture
def admin_client(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    administrator = make_staff(StaffRole.SYSTEM_ADMIN)
    client.force_login(administrator)
    client.administrator = administrator
    return client


def _type_form(ctype, **changes):
    data = {
        "code": ctype.code,
        "name": ctype.name,
        "name_en": ctype.name_en,
        "defining_department": ctype.defining_department_id,
        "issuing_departments": [d.pk for d in ctype.issuing_departments.all()],
        "holder_kind": ctype.holder_kind,
        "fields": "[]",
        "validity_rule": ctype.validity_rule,
        "validity_years": ctype.validity_years or "",
        "layout": "{}",
    }
    return {**data, **changes}


def test_changing_a_certificate_type_in_the_admin_is_recorded(admin_client, issuer):
    ctype = make_type(issuer)
    other = DepartmentFactory(name="广州市卫生健康委员会")
    url = f"/admin/certificates/certificatetype/{ctype.pk}/change/"
    response = admin_client.post(url, _type_form(ctype, issuing_departments=[issuer.pk, other.pk]))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(ctype.issuing_departments.all()) == {issuer, other}
    event = _only(AuditAction.CERTIFICATE_TYPE_CHANGED)
    assert event.actor == admin_client.administrator
    assert event.detail["change"] == "changed"
    assert event.detail["code"] == ctype.code
    assert "issuing_departments" in event.fields and "fields" in event.fields


def test_deleting_a_certificate_type_in_the_admin_is_recorded(admin_client, issuer):
    ctype = make_type(issuer)
    url = f"/admin/certificates/certificatetype/{ctype.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not CertificateType.objects.filter(pk=ctype.pk).exists()
    event = _only(AuditAction.CERTIFICATE_TYPE_CHANGED)
    assert (event.actor, event.detail["change"]) == (admin_client.administrator, "deleted")


def test_linking_an_issuing_system_in_the_admin_is_recorded(admin_client, issuer):
    client = Client.objects.create(id="dept-system", name="公安局业务系统")
    response = admin_client.post(
        "/admin/certificates/issuingsystem/add/", {"client": client.pk, "department": issuer.pk}
    )
    assert response.status_code == 302
    system = IssuingSystem.objects.get(client=client)
    event = _only(AuditAction.ISSUING_SYSTEM_CHANGED)
    assert (event.actor, event.detail["change"]) == (admin_client.administrator, "created")
    assert event.detail["department_id"] == issuer.pk and event.detail["object_id"] == system.pk


def test_changing_an_organisation_in_the_admin_is_recorded(admin_client):
    representative = PersonFactory().user
    organisation = organisations.register(representative, uscc=make_uscc(), name="甲公司")
    url = f"/admin/portal/organisation/{organisation.pk}/change/"
    management = {"agents-TOTAL_FORMS": 0, "agents-INITIAL_FORMS": 0}
    response = admin_client.post(url, {"name": "甲有限公司", **management})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = _only(AuditAction.ORGANISATION_CHANGED)
    assert (event.actor, event.subject, event.fields) == (
        admin_client.administrator,
        representative,
        ["name"],
    )
    assert event.detail["organisation_id"] == organisation.pk

"""What issuing keeps: whose request a certificate answers, who changed it and why, the
surface it was issued with, organisations as holders, and expiry of many at once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from certificates import canonical, issuing, selectors, verification
from certificates.models import Certificate, CertificateEvent, HolderKind, ValidityRule
from certificates.models import CertificateStatus as S
from portal import organisations
from portal.models import StaffAssignment, StaffRole
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory, make_staff, make_uscc

SURFACE = {"address": "广州市天河区天河路1号", "birth_date": "1990-03-07"}


def _issue(ctype, issuer, person, **kwargs):
    values = {
        "type": ctype,
        "issuer": issuer,
        "holder_name": person.legal_name,
        "holder_code": person.reveal_id_number(),
        "surface": SURFACE,
        "by": None,
    }
    return issuing.issue(**(values | kwargs))


@pytest.fixture
def administrator(issuer):
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    return user


def test_two_departments_reusing_one_idempotency_key_each_get_their_own_certificate(
    issuer, ctype, person
):
    other = DepartmentFactory(name="深圳市公安局")
    ctype.issuing_departments.add(other)
    first = _issue(ctype, issuer, person, idempotency_key="case-42")
    second = _issue(ctype, other, person, idempotency_key="case-42")
    assert first.pk != second.pk
    assert (first.issuer, second.issuer) == (issuer, other)
    assert Certificate.objects.filter(idempotency_key="case-42").count() == 2
    # and each department's retry still gets its own first answer
    assert _issue(ctype, other, person, idempotency_key="case-42").pk == second.pk
    assert _issue(ctype, issuer, person, idempotency_key="case-42").pk == first.pk


def test_each_change_records_who_made_it_and_why(issuer, ctype, person, administrator):
    certificate = _issue(ctype, issuer, person, by=administrator)
    renewed = issuing.renew(certificate, by=administrator, reason="住址变更")
    issuing.revoke(renewed, by=administrator, reason="骗取登记")
    other = _issue(ctype, issuer, person, by=administrator)
    issuing.cancel(other, by=administrator, reason="持证人申请注销")

    rows = CertificateEvent.objects.order_by("pk").values_list(
        "certificate", "action", "from_status", "to_status", "actor", "reason"
    )
    admin = administrator.pk
    assert list(rows) == [
        (certificate.pk, "issue", "", S.VALID, admin, ""),
        (certificate.pk, "supersede", S.VALID, S.SUPERSEDED, admin, "住址变更"),
        (renewed.pk, "issue", "", S.VALID, admin, "住址变更"),
        (renewed.pk, "revoke", S.VALID, S.REVOKED, admin, "骗取登记"),
        (other.pk, "issue", "", S.VALID, admin, ""),
        (other.pk, "cancel", S.VALID, S.CANCELLED, admin, "持证人申请注销"),
    ]
    renewed.refresh_from_db()
    other.refresh_from_db()
    assert (renewed.status_reason, other.status_reason) == ("骗取登记", "持证人申请注销")


def test_the_surface_given_at_issue_is_kept_signed_and_verifiable(issuer, ctype, person):
    certificate = _issue(
        ctype,
        issuer,
        person,
        surface={"address": "  广州市越秀区北京路2号 ", "birth_date": "1990-03-07"},
    )
    expected = {"address": "广州市越秀区北京路2号", "birth_date": "1990-03-07"}
    assert certificate.surface == expected
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.surface == expected
    assert canonical.payload(stored)["surface"] == expected
    assert verification.verify_certificate(stored).is_valid


def test_a_certificate_is_issued_to_an_organisation_and_held_by_its_confirmed_representative(
    issuer,
):
    representative = PersonFactory(legal_name="王五", verified=True).user
    organisation = organisations.register(representative, uscc=make_uscc(), name="广州示例有限公司")
    organisations.confirm_at_window(organisation, by=make_staff(StaffRole.CLERK))
    licence_type = make_type(
        issuer, kind=HolderKind.ORGANISATION, rule=ValidityRule.LONG_TERM, seq=2
    )
    licence = issuing.issue(
        type=licence_type,
        issuer=issuer,
        holder_name=organisation.name,
        holder_code=organisation.uscc,
        surface={},
        by=None,
    )
    assert licence.holder_code_type == "001"  # GB/T 36903: unified social credit code
    assert canonical.payload(licence)["holder_code"] == organisation.uscc
    assert verification.verify_certificate(licence).is_valid
    assert selectors.holds(representative, licence)
    assert list(selectors.wallet(representative)) == [licence]
    stranger = PersonFactory(verified=True).user
    assert not selectors.holds(stranger, licence)


def test_a_holder_code_of_the_wrong_kind_is_refused(issuer, ctype, person):
    licence_type = make_type(issuer, kind=HolderKind.ORGANISATION, seq=2)
    with pytest.raises(ValidationError):
        _issue(licence_type, issuer, person, surface={})
    with pytest.raises(ValidationError):
        _issue(ctype, issuer, person, holder_code=make_uscc())
    assert not Certificate.objects.exists()


def test_expiry_ends_every_certificate_past_its_last_day_and_only_those(issuer, ctype, person):
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=365 * 11)  # ten-year validity: ended
    due = [_issue(ctype, issuer, person, issued_on=long_ago) for _ in range(3)]
    current = _issue(ctype, issuer, person)

    assert issuing.expire_due(today=today) == 3
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses == {**{c.pk: S.EXPIRED for c in due}, current.pk: S.VALID}
    assert CertificateEvent.objects.filter(action="expire", actor=None).count() == 3
    assert issuing.expire_due(today=today) == 0

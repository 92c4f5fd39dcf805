import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from certificates import issuing, selectors, tasks
from certificates.models import Certificate, CertificateEvent
from certificates.models import CertificateStatus as S
from portal.errors import NotAllowed
from portal.models import StaffRole
from tests.certificates.demo_types import demo_type
from tests.factories import make_id_number, make_staff

ACTIONS = ["revoke", "cancel", "expire", "supersede"]


def test_issue_links_the_holder_and_stores_the_id_number_encrypted(certificate, person):
    assert list(selectors.wallet(person.user)) == [certificate]
    number = person.reveal_id_number()
    assert number not in certificate.holder_code_encrypted
    assert certificate.holder_code_masked == number[:4] + "*" * 10 + number[-4:]
    assert certificate.holder_code_type == "111"
    assert certificate.identifier.endswith(".001." + certificate.identifier[-1])
    start, anniversary = certificate.valid_from, certificate.valid_until + datetime.timedelta(1)
    assert anniversary.year == start.year + 10
    assert (anniversary.month, anniversary.day) in {(start.month, start.day), (2, 28)}
    assert list(certificate.events.values_list("action", "to_status")) == [("issue", "valid")]


@pytest.mark.parametrize(
    ("valid_from", "last_day"),
    [
        (datetime.date(2024, 2, 29), datetime.date(2034, 2, 27)),  # no 29 February in 2034
        (datetime.date(2025, 11, 27), datetime.date(2035, 11, 26)),
    ],
)
def test_a_fixed_validity_runs_to_the_day_before_the_anniversary(
    issuer, ctype, person, valid_from, last_day
):
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
        issued_on=valid_from,
    )
    assert (certificate.valid_from, certificate.valid_until) == (valid_from, last_day)


def test_issuing_twice_with_one_idempotency_key_yields_one_certificate(issuer, ctype, person):
    kwargs = {
        "type": ctype,
        "issuer": issuer,
        "holder_name": "张三",
        "holder_code": person.reveal_id_number(),
        "surface": {},
        "by": None,
        "idempotency_key": "case-42",
    }
    first = issuing.issue(**kwargs)
    again = issuing.issue(**kwargs)
    assert first.pk == again.pk
    assert Certificate.objects.count() == 1


def test_issue_refuses_a_department_that_does_not_issue_the_type(ctype, person):
    from tests.factories import DepartmentFactory

    with pytest.raises(ValidationError):
        issuing.issue(
            type=ctype,
            issuer=DepartmentFactory(),
            holder_name="张三",
            holder_code=person.reveal_id_number(),
            surface={},
            by=None,
        )


def test_issue_refuses_a_bad_holder_code_and_unknown_fields(issuer, ctype, person):
    with pytest.raises(ValidationError):
        issuing.issue(
            type=ctype, issuer=issuer, holder_name="张三", holder_code="123", surface={}, by=None
        )
    with pytest.raises(ValidationError):
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name="张三",
            holder_code=person.reveal_id_number(),
            surface={"shoe_size": "42"},
            by=None,
        )


@pytest.mark.parametrize("name", ["<b>x</b>", "张三123", "张三\n李四"])
def test_a_persons_certificate_carries_only_a_legal_name(issuer, ctype, person, name):
    with pytest.raises(ValidationError) as refused:
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name=name,
            holder_code=person.reveal_id_number(),
            surface={},
            by=None,
        )
    assert "holder_name" in refused.value.message_dict
    assert not Certificate.objects.filter(holder_name=name).exists()


def test_only_administrators_of_the_issuing_department_issue(issuer, ctype, person):
    outsider = make_staff(StaffRole.DEPARTMENT_ADMIN)
    with pytest.raises(NotAllowed):
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name="张三",
            holder_code=person.reveal_id_number(),
            surface={},
            by=outsider,
        )


@pytest.mark.parametrize("start", list(S))
@pytest.mark.parametrize("action", ACTIONS)
def test_the_lifecycle_table(certificate, start, action):
    Certificate.objects.filter(pk=certificate.pk).update(status=start)
    expected = issuing.MOVES.get((start, action))
    with transaction.atomic():
        if expected is None:
            with pytest.raises(issuing.IllegalMove):
                issuing._move(certificate, action, by=None)
            assert CertificateEvent.objects.filter(certificate=certificate).count() == 1
        else:
            moved = issuing._move(certificate, action, by=None, reason="r")
            assert moved.status == expected
            event = certificate.events.last()
            assert (event.action, event.from_status, event.to_status) == (action, start, expected)


def test_renew_supersedes_and_links_the_new_version(certificate):
    new = issuing.renew(
        certificate, by=None, surface={"address": "广州市越秀区"}, reason="住址变更"
    )
    certificate.refresh_from_db()
    assert certificate.status == S.SUPERSEDED
    assert new.previous == certificate and new.version == 2
    assert new.identifier.split(".")[-2] == "002"
    assert new.surface["address"] == "广州市越秀区"
    with pytest.raises(issuing.IllegalMove):
        issuing.renew(certificate, by=None)


def test_revoke_needs_a_reason_and_is_final(certificate):
    with pytest.raises(ValidationError):
        issuing.revoke(certificate, by=None, reason=" ")
    issuing.revoke(certificate, by=None, reason="骗取登记")
    with pytest.raises(issuing.IllegalMove):
        issuing.cancel(certificate, by=None, reason="持证人申请注销")


def test_the_expiry_task_marks_certificates_past_their_last_day_and_is_idempotent(certificate):
    last_day = certificate.valid_until
    assert issuing.expire_due(today=last_day) == 0
    assert certificate.effective_status(last_day) == S.VALID
    assert certificate.effective_status(last_day + datetime.timedelta(days=1)) == S.EXPIRED
    assert issuing.expire_due(today=last_day + datetime.timedelta(days=1)) == 1
    assert issuing.expire_due(today=last_day + datetime.timedelta(days=1)) == 0
    certificate.refresh_from_db()
    assert certificate.status == S.EXPIRED
    assert tasks.expire_due.delay().get() == 0


def test_a_renewal_needs_a_holder_name_and_leaves_the_old_version_valid_without_one(certificate):
    with pytest.raises(ValidationError, match="holder's name"):
        issuing.renew(certificate, by=None, holder_name="   ", reason="更正")
    certificate.refresh_from_db()
    assert certificate.status == "valid" and not Certificate.objects.filter(version=2).exists()


def test_a_renewal_sent_again_with_other_details_is_refused_not_dropped(certificate):
    first = issuing.renew(
        certificate, by=None, surface={"address": "广州市越秀区"}, idempotency_key="r1"
    )
    assert (
        issuing.renew(
            certificate, by=None, surface={"address": "广州市越秀区"}, idempotency_key="r1"
        )
        == first
    )
    with pytest.raises(issuing.IdempotencyConflict):
        issuing.renew(
            certificate, by=None, surface={"address": "广州市海珠区"}, idempotency_key="r1"
        )
    first.refresh_from_db()
    assert first.surface["address"] == "广州市越秀区" and first.status == "valid"


def test_a_renewal_losing_a_race_for_its_key_changes_nothing(
    certificate, monkeypatch, issuer, ctype
):
    other = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="李四",
        holder_code=make_id_number(),
        surface={},
        by=None,
        idempotency_key="taken",
    )
    # As if the other request committed between our look-up and our insert.
    monkeypatch.setattr(issuing, "_earlier", lambda issuer, key: None)
    with pytest.raises(issuing.IdempotencyConflict):
        issuing.renew(certificate, by=None, reason="换证", idempotency_key="taken")
    certificate.refresh_from_db()
    assert certificate.status == "valid" and Certificate.objects.count() == 2 and other.pk


def test_a_marriage_certificate_without_its_required_surface_is_refused(issuer, person):
    ctype = demo_type(issuer)
    with pytest.raises(ValidationError) as caught:
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name=person.legal_name,
            holder_code=person.reveal_id_number(),
            surface={"spouse_name": "  "},
            by=None,
        )
    assert caught.value.message_dict == {
        "surface": [
            "spouse_name: this field is required.",
            "registered_on: this field is required.",
        ]
    }
    assert not Certificate.objects.exists()


def test_cancel_needs_a_reason_and_records_it(certificate):
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            issuing.cancel(certificate, by=None, reason=blank)
        assert caught.value.message_dict == {"reason": ["Give the reason for cancelling."]}
    certificate.refresh_from_db()
    assert certificate.status == S.VALID
    assert list(certificate.events.values_list("action", flat=True)) == ["issue"]
    issuing.cancel(certificate, by=None, reason="持证人申请注销")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (S.CANCELLED, "持证人申请注销")
    assert certificate.events.get(action="cancel").reason == "持证人申请注销"

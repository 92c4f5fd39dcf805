"""An API submit stays cheap (issue 8): a validated form, two materials given by e-certificate
and an idempotency key cost a fixed, small number of SQL statements, and still record
everything a submit records (consents per department, audit rows, events)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from certificates import issuing
from certificates.models import CertificateGrant, HolderKind
from portal.models import AuditAction, AuditEvent
from services.models import Application, ApplicationEvent, ApplicationStatus, Material
from tests.factories import DepartmentFactory
from tests.services.cases import profile_of, world
from tests.services.factories import CertificateTypeFactory, MaterialFactory, field

pytestmark = pytest.mark.django_db
LIST = "/api/v1/applications/"


@pytest.fixture
def bench_like():
    """The bench's service: three answers, two materials each replaced by an e-certificate
    the applicant holds."""
    w = world()
    w.service.form_definition = {
        "fields": [field("applicant_name"), field("phone", "phone"), field("purpose")]
    }
    w.service.save()
    issuer = DepartmentFactory()
    ctype = CertificateTypeFactory(defining_department=issuer, holder_kind=HolderKind.PERSON)
    ctype.issuing_departments.add(issuer)
    w.material.certificate_type = ctype
    w.material.save()
    MaterialFactory(
        service=w.service, key="household-register", name="户口簿", certificate_type=ctype
    )
    profile = profile_of(w.applicant)
    certificates = [
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name=profile.legal_name,
            holder_code=profile.reveal_id_number(),
            surface={},
            by=None,
            serial=serial,
        )
        for serial in ("SUBMIT0001", "SUBMIT0002")
    ]
    body = {
        "service": w.service.code,
        "answers": {"applicant_name": "张小明", "phone": "13800009999", "purpose": "测试"},
        "materials": [
            {"requirement": key, "certificate": c.identifier}
            for key, c in zip(("id-card", "household-register"), certificates, strict=True)
        ],
    }
    return w, body


def _apply(client, body, key=None):
    return client.post(
        LIST, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


# The statements of one API submit with two e-certificates, as the bench sends it: the session
# and the user; the service with its default hall (the body's code); the material
# requirements; the certificates; the applicant's profile (whose certificates he holds); then
# the case, the two consents, their audit rows, the two materials and the two events, each one
# insert. The idempotency key is not looked up: its unique index refuses a second case. In a
# test the transaction is a savepoint of the test's: two statements more. Was about 67, with
# 14 savepoints of nested atomic blocks, before issue 8; 13 before the submit-speed work.
SUBMIT_STATEMENTS = 11 + 2


def test_an_api_submit_with_two_certificates_costs_few_statements(
    client, bench_like, django_assert_max_num_queries
):
    w, body = bench_like
    client.force_login(w.applicant)
    with django_assert_max_num_queries(SUBMIT_STATEMENTS) as captured:
        response = _apply(client, body)
    assert response.status_code == 201, response.json()
    assert (
        not [q for q in captured.captured_queries if "SAVEPOINT" in q["sql"]]
        or connection.in_atomic_block
    )
    application = Application.objects.get(pk=response.json()["id"])
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers["phone"] == "+8613800009999"  # checked and normalised
    assert sorted(application.materials.values_list("requirement__key", flat=True)) == [
        "household-register",
        "id-card",
    ]
    grants = CertificateGrant.objects.filter(case_reference=application.reference)
    assert {g.department_id for g in grants} == {w.service.department_id}
    assert grants.count() == 2
    audited = AuditEvent.objects.filter(action=AuditAction.CONSENT_GRANTED, subject=w.applicant)
    assert sorted(e.detail["grant_id"] for e in audited) == sorted(g.pk for g in grants)
    assert list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("id")
        .values_list("action", "from_status", "to_status")
    ) == [("create", "draft", "draft"), ("submit", "draft", "submitted")]
    answer = response.json()
    assert [e["action"] for e in answer["events"]] == ["create", "submit"]
    assert {m["certificate"] for m in answer["materials"]} == {
        m["certificate"] for m in body["materials"]
    }


def test_the_answer_of_a_submit_is_the_one_a_later_read_gives(client, bench_like):
    """The submit answers from the rows it wrote; a later read gives the same case."""
    w, body = bench_like
    client.force_login(w.applicant)
    made = _apply(client, body).json()
    read = client.get(f"{LIST}{made['id']}/").json()
    assert made == read  # the times too: the answer is built without the serializer


@pytest.mark.usefixtures("commit_now")
def test_the_applicant_is_told_once_the_submit_commits(client, bench_like):
    from portal.models import Notification

    w, body = bench_like
    client.force_login(w.applicant)
    _apply(client, body)
    assert Notification.objects.filter(user=w.applicant).count() == 1


def test_a_retry_answers_the_first_application_and_another_body_is_a_conflict(client, bench_like):
    w, body = bench_like
    client.force_login(w.applicant)
    first = _apply(client, body, key="same")
    again = _apply(client, body, key="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    changed = {**body, "answers": {**body["answers"], "purpose": "别的"}}
    assert _apply(client, changed, key="same").status_code == 409
    assert Application.objects.filter(applicant=w.applicant).count() == 1
    assert CertificateGrant.objects.count() == 2


def test_a_wrong_certificate_among_good_ones_writes_nothing(client, bench_like):
    w, body = bench_like
    client.force_login(w.applicant)
    wrong = {
        **body,
        "materials": [body["materials"][0], {**body["materials"][1], "certificate": "nope"}],
    }
    response = _apply(client, wrong)
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "materials": {"household-register": ["Choose one of your own certificates."]}
    }
    assert not Application.objects.exists()
    assert not CertificateGrant.objects.exists()
    assert not Material.objects.exists()


def test_a_bundle_applied_through_the_api_gives_each_department_its_consent(client):
    """The parent's consent names the first department that asks for the certificate; each
    child's department gets its own (services.fanout)."""
    from tests.services.test_bundles_lifecycle import make_bundle_world

    bundle, members, _clerk, applicant = make_bundle_world()
    profile = profile_of(applicant)
    issuer = DepartmentFactory()
    ctype = CertificateTypeFactory(defining_department=issuer, holder_kind=HolderKind.PERSON)
    ctype.issuing_departments.add(issuer)
    for service, _reviewer in members:
        service.materials.update(certificate_type=ctype)
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=profile.legal_name,
        holder_code=profile.reveal_id_number(),
        surface={},
        by=None,
    )
    client.force_login(applicant)
    body = {
        "bundle": bundle.slug,
        "answers": {"child_name": "张小宝"},
        "materials": [{"requirement": "birth-proof", "certificate": certificate.identifier}],
    }
    response = _apply(client, body)
    assert response.status_code == 201, response.json()
    parent = Application.objects.get(pk=response.json()["id"])
    children = list(parent.children.order_by("pk"))
    assert len(children) == 3 and len(response.json()["children"]) == 3
    for child in children:
        [material] = child.materials.select_related("grant")
        assert material.grant.department_id == child.service.department_id
    granted = CertificateGrant.objects.filter(certificate=certificate)
    assert {g.department_id for g in granted} == {s.department_id for s, _r in members[:3]}

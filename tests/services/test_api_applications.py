"""The applications API: apply (idempotent), upload, follow a case, one endpoint per move,
who sees and does what (404 unseen, 403 seen but not allowed), departments' systems, schema."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from certificates import issuing
from certificates.models import CertificateGrant, HolderKind
from portal.models import AuditAction, AuditEvent, StaffRole
from services import workflow
from services.models import Application, ApplicationStatus, Material
from services.models.catalogue import ServiceResult
from tests.factories import PASSWORD, DepartmentFactory, activate_totp, totp_code
from tests.services.cases import PDF, profile_of, staff, world
from tests.services.factories import CertificateTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
A = ApplicationStatus
LIST = "/api/v1/applications/"


def url(app, action=""):
    return f"{LIST}{app.pk}/" + (f"{action}/" if action else "")


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", **headers)


def apply(client, body, key=None):
    return post(client, LIST, body, HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def refused(response, status, code):
    """The one error shape, with the expected status and code."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"]
    assert set(body) <= {"code", "detail", "fields"}
    return body


def sign_in(client, user):
    """A real sign-in with password and authenticator code, as staff must."""
    secret = activate_totp(user)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def w():
    return world()


@pytest.fixture
def applicant(client, w):
    client.force_login(w.applicant)
    return client


@pytest.fixture
def other_client():
    from django.test import Client

    return Client()


def body_for(w, **changes):
    return {"service": w.service.code, "answers": {"applicant_name": "张小明"}, **changes}


# --- Applying ------------------------------------------------------------------------------


@pytest.fixture
def with_certificate(w):
    """The service's material may be replaced by an e-certificate the applicant holds."""
    issuer = DepartmentFactory()
    ctype = CertificateTypeFactory(defining_department=issuer, holder_kind=HolderKind.PERSON)
    ctype.issuing_departments.add(issuer)
    w.material.certificate_type = ctype
    w.material.save()
    profile = profile_of(w.applicant)
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=profile.legal_name,
        holder_code=profile.reveal_id_number(),
        surface={},
        by=None,
    )
    return certificate


def test_a_citizen_applies_with_a_certificate_instead_of_a_copy(applicant, w, with_certificate):
    body = body_for(
        w, materials=[{"requirement": "id-card", "certificate": with_certificate.identifier}]
    )
    response = apply(applicant, body)
    assert response.status_code == 201, response.json()
    answer = response.json()
    app = Application.objects.get(pk=answer["id"])
    assert app.status == A.SUBMITTED and answer["status"] == "submitted"
    assert answer["materials"][0]["certificate"] == with_certificate.identifier
    assert answer["materials"][0]["source"] == "certificate"
    assert [e["action"] for e in answer["events"]] == ["create", "submit"]
    grant = CertificateGrant.objects.get(certificate=with_certificate)
    assert grant.department == w.service.department and grant.case_reference == app.reference


def test_the_certificate_may_be_given_by_its_id_too(applicant, w, with_certificate):
    body = body_for(
        w, materials=[{"requirement": "id-card", "certificate": str(with_certificate.pk)}]
    )
    assert apply(applicant, body).status_code == 201


def test_the_same_key_and_body_answer_the_same_application(applicant, w, with_certificate):
    body = body_for(
        w, materials=[{"requirement": "id-card", "certificate": with_certificate.identifier}]
    )
    first = apply(applicant, body, key="retry-1")
    again = apply(applicant, body, key="retry-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Application.objects.filter(applicant=w.applicant).count() == 1


def test_the_same_key_with_another_body_is_a_conflict(applicant, w, with_certificate):
    materials = [{"requirement": "id-card", "certificate": with_certificate.identifier}]
    assert apply(applicant, body_for(w, materials=materials), key="k").status_code == 201
    other = body_for(w, materials=materials, answers={"applicant_name": "李四"})
    refused(apply(applicant, other, key="k"), 409, "idempotency_conflict")
    assert Application.objects.filter(applicant=w.applicant).count() == 1


def test_applying_without_an_idempotency_key_is_refused(applicant, w):
    body = refused(post(applicant, LIST, body_for(w)), 400, "idempotency_key_required")
    assert "Idempotency-Key" in body["fields"]
    refused(apply(applicant, body_for(w), key="x" * 101), 400, "idempotency_key_too_long")
    assert not Application.objects.exists()


def test_an_incomplete_application_names_every_problem_and_creates_nothing(applicant, w):
    response = apply(applicant, {"service": w.service.code, "answers": {}})
    body = refused(response, 400, "incomplete")
    assert body["fields"] == {
        "answers": {"applicant_name": ["This field is required."]},
        "materials": {"id-card": [f"Missing: {w.material.name}"]},
    }
    assert not Application.objects.exists()


def test_a_certificate_of_someone_else_or_none_is_named_per_material(
    applicant, w, with_certificate
):
    stranger = profile_of(w.stranger)
    someone_elses = issuing.issue(
        type=with_certificate.type,
        issuer=with_certificate.issuer,
        holder_name=stranger.legal_name,
        holder_code=stranger.reveal_id_number(),
        surface={},
        by=None,
    )
    for reference in (someone_elses.identifier, "no-such-certificate", "9" * 40):
        body = body_for(w, materials=[{"requirement": "id-card", "certificate": reference}])
        problems = refused(apply(applicant, body), 400, "incomplete")["fields"]
        assert problems == {"materials": {"id-card": ["Choose one of your own certificates."]}}
    unknown = body_for(w, materials=[{"requirement": "nope", "certificate": "x"}])
    problems = refused(apply(applicant, unknown), 400, "incomplete")["fields"]
    assert problems["materials"]["nope"] == ["Choose a material of this service."]
    assert not Application.objects.exists() and not CertificateGrant.objects.exists()


def test_a_body_of_the_wrong_shape_is_a_400(applicant, w):
    refused(apply(applicant, {"answers": {}}), 400, "service_or_bundle")
    body = refused(apply(applicant, {"service": "NO-SUCH"}), 400, "does_not_exist")
    assert "service" in body["fields"]


def test_acting_for_an_organisation_one_does_not_represent_is_refused(applicant, w):
    from portal.models import Organisation

    organisation = Organisation.objects.create(
        name="某公司", uscc=DepartmentFactory.build().code, legal_representative=w.stranger
    )
    refused(apply(applicant, body_for(w, organisation=organisation.pk)), 403, "not_allowed")


def test_nobody_signed_in_may_apply(client, w):
    refused(apply(client, body_for(w)), 401, "not_authenticated")


# --- A draft, uploads, submit --------------------------------------------------------------


def test_a_draft_gets_an_upload_and_is_then_submitted(applicant, w):
    created = apply(applicant, body_for(w, submit=False))
    assert created.status_code == 201 and created.json()["status"] == "draft"
    app = Application.objects.get(pk=created.json()["id"])
    refused(post(applicant, url(app, "submit")), 400, "incomplete")
    upload = applicant.post(
        url(app, "materials"),
        {"requirement": "id-card", "file": io.BytesIO(PDF)},
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["content_type"] == "application/pdf"
    assert upload.json()["size"] == len(PDF)
    submitted = post(applicant, url(app, "submit"))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = post(applicant, url(app, "submit"))  # a retry answers it unchanged
    assert again.status_code == 200 and again.json()["status"] == "submitted"


def test_an_upload_that_lies_about_its_type_or_is_empty_stores_nothing(applicant, w):
    app = w.draft()
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf at all")
    fake.name = "scan.pdf"
    body = refused(
        applicant.post(url(app, "materials"), {"requirement": "id-card", "file": fake}),
        400,
        "file_type",
    )
    assert "file" in body["fields"]
    empty = io.BytesIO(b"")
    empty.name = "empty.pdf"
    refused(
        applicant.post(url(app, "materials"), {"requirement": "id-card", "file": empty}),
        400,
        "empty_file",
    )
    unknown = io.BytesIO(PDF)
    refused(
        applicant.post(url(app, "materials"), {"requirement": "nope", "file": unknown}),
        400,
        "unknown_material",
    )
    assert not Material.objects.exists()


def test_uploading_to_a_submitted_case_is_refused(applicant, w):
    app = w.submitted()
    refused(
        applicant.post(url(app, "materials"), {"requirement": "id-card", "file": io.BytesIO(PDF)}),
        400,
        "not_editable",
    )


# --- Citizen A and citizen B ---------------------------------------------------------------


def test_citizen_a_cannot_see_or_act_on_b_s_case(other_client, w):
    app = w.submitted()
    other_client.force_login(w.stranger)
    refused(other_client.get(url(app)), 404, "not_found")
    for action in ("withdraw", "resubmit", "submit", "accept", "approve", "claim"):
        refused(post(other_client, url(app, action)), 404, "not_found")
    upload = other_client.post(
        url(app, "materials"), {"requirement": "id-card", "file": io.BytesIO(PDF)}
    )
    refused(upload, 404, "not_found")
    assert other_client.get(LIST).json()["count"] == 0
    assert Application.objects.get(pk=app.pk).status == A.SUBMITTED


def test_the_citizen_lists_his_own_cases(applicant, w):
    mine = w.submitted()
    world().submitted()  # someone else's
    body = applicant.get(LIST).json()
    assert body["count"] == 1 and body["results"][0]["id"] == mine.pk
    assert applicant.get(LIST, {"status": "draft"}).json()["count"] == 0
    refused(applicant.get(LIST, {"status": "nope"}), 400, "invalid")
    refused(applicant.get(LIST, {"queue": "nope"}), 400, "invalid")


def test_the_list_costs_the_same_queries_at_any_page_size(applicant, w):
    for _ in range(6):
        w.submitted()
    for _ in range(6):  # the newest: every page has a deadline to count
        w.accepted()
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            response = applicant.get(LIST, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_list_stays_within_its_query_budget(applicant, w, django_assert_max_num_queries):
    for _ in range(4):
        w.accepted()
    for size in (2, 4):
        with django_assert_max_num_queries(8):
            assert len(applicant.get(LIST, {"page_size": size}).json()["results"]) == size


def test_the_applicant_sees_his_case_with_the_deadline(applicant, w):
    app = w.accepted()
    body = applicant.get(url(app)).json()
    assert body["acceptance_number"] == app.acceptance_number
    assert body["due_date"] == app.due_date.isoformat() and body["due_provisional"] is False
    assert body["remaining"]["days"] >= 0 and body["remaining"]["paused"] is False
    assert body["answers"] == {"applicant_name": "张小明"}
    assert [m["requirement"] for m in body["materials"]] == ["id-card"]
    assert "file" not in body["materials"][0]
    assert [e["action"] for e in body["events"]][:3] == ["create", "submit", "accept"]


# --- The moves -----------------------------------------------------------------------------


def test_the_clerk_accepts_and_the_routed_reviewer_approves(client, other_client, w):
    app = w.submitted()
    sign_in(client, w.clerk)
    accepted = post(client, url(app, "accept"), {"opinion": "材料齐全"})
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["status"] == "in_review" and accepted.json()["acceptance_number"]
    assert client.get(LIST, {"queue": "intake"}).json()["count"] == 0
    sign_in(other_client, w.reviewer)
    queue = other_client.get(LIST, {"queue": "review"}).json()
    assert [c["id"] for c in queue["results"]] == [app.pk]
    approved = post(other_client, url(app, "approve"), {"opinion": "同意"})
    assert approved.status_code == 200, approved.json()
    assert Application.objects.get(pk=app.pk).status == A.COMPLETED


def test_a_clerk_cannot_approve_or_deny(client, w):
    app = w.accepted()
    sign_in(client, w.clerk)
    assert client.get(url(app)).status_code == 200  # his hall's case: he sees it
    refused(post(client, url(app, "approve")), 403, "not_allowed")
    refused(post(client, url(app, "deny"), {"reason": "不符合"}), 403, "not_allowed")
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW


def test_a_reviewer_outside_his_categories_gets_404(client, w):
    app = w.accepted()
    outsider = staff(StaffRole.REVIEWER, department=w.department, categories=[])
    other = world()
    other_category = staff(StaffRole.REVIEWER, department=w.department, categories=[other.category])
    for reviewer in (outsider, other_category):
        client.logout()
        sign_in(client, reviewer)
        refused(client.get(url(app)), 404, "not_found")
        refused(post(client, url(app, "approve")), 404, "not_found")
        refused(post(client, url(app, "claim")), 404, "not_found")
        assert client.get(LIST, {"queue": "review"}).json()["count"] == 0
    assert Application.objects.get(pk=app.pk).status == A.IN_REVIEW


def test_an_illegal_move_is_a_translated_409(client, w):
    app = w.submitted()
    sign_in(client, w.department_admin)
    application_admin_sees = post(client, url(app, "approve"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = refused(application_admin_sees, 409, "illegal_move")
    with translation.override("zh-hans"):
        assert body["detail"] == workflow.illegal(A.SUBMITTED, "approve").message
    english = refused(
        post(client, url(app, "approve"), HTTP_ACCEPT_LANGUAGE="en"), 409, "illegal_move"
    )
    assert english["detail"] == (
        "An application that is “Submitted, awaiting acceptance” cannot be approved."
    )


def test_staff_work_needs_the_second_factor(client, w):
    app = w.submitted()
    client.force_login(w.clerk)  # a password-only session
    refused(post(client, url(app, "accept")), 403, "second_factor_required")
    refused(client.get(url(app)), 403, "second_factor_required")
    refused(client.get(LIST, {"queue": "intake"}), 403, "second_factor_required")
    assert Application.objects.get(pk=app.pk).status == A.SUBMITTED


def test_a_staff_read_of_a_case_is_audited(client, w):
    app = w.submitted()
    sign_in(client, w.clerk)
    body = client.get(url(app)).json()
    assert body["pickup_code"] is None
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED, actor=w.clerk)
    assert event.subject == w.applicant and event.detail["application_id"] == app.pk


def test_supplement_and_resubmission(applicant, w):
    from django.test import Client

    app = w.submitted()
    clerk = sign_in(Client(), w.clerk)
    refused(post(clerk, url(app, "request-supplement"), {"items": []}), 400, "items_required")
    asked = post(clerk, url(app, "request-supplement"), {"items": ["身份证复印件不清晰"]})
    assert asked.json()["status"] == "awaiting_supplement"
    detail = applicant.get(url(app)).json()
    assert detail["supplement_items"] == ["身份证复印件不清晰"]
    replaced = applicant.post(
        url(app, "materials"), {"requirement": "id-card", "file": io.BytesIO(PDF)}
    )
    assert replaced.status_code == 201
    refused(
        post(applicant, url(app, "resubmit"), {"answers": {"applicant_name": ""}}),
        400,
        "incomplete",
    )
    assert Application.objects.get(pk=app.pk).answers == {"applicant_name": "张小明"}
    again = post(applicant, url(app, "resubmit"), {"answers": {"applicant_name": "张大明"}})
    assert again.status_code == 200 and again.json()["status"] == "submitted"
    assert Application.objects.get(pk=app.pk).answers == {"applicant_name": "张大明"}
    refused(post(applicant, url(app, "resubmit")), 409, "illegal_move")


def test_the_clerk_refuses_with_a_reason(client, w):
    app = w.submitted()
    sign_in(client, w.clerk)
    body = refused(post(client, url(app, "refuse"), {"reason": " "}), 400, "reason_required")
    assert "reason" in body["fields"]
    refused(post(client, url(app, "refuse")), 400, "required")
    done = post(client, url(app, "refuse"), {"reason": "不属于本事项受理范围"})
    assert done.json()["status"] == "not_accepted"
    refused(post(client, url(app, "accept")), 409, "illegal_move")


def test_the_reviewer_denies_with_a_reason(client, w):
    app = w.accepted()
    sign_in(client, w.reviewer)
    refused(post(client, url(app, "deny"), {"reason": ""}), 400, "reason_required")
    denied = post(client, url(app, "deny"), {"reason": "不符合条件"})
    assert denied.json()["status"] == "denied"
    assert Application.objects.get(pk=app.pk).status_reason == "不符合条件"


def test_the_applicant_withdraws_but_cannot_accept_his_own(applicant, w):
    app = w.submitted()
    refused(post(applicant, url(app, "accept")), 403, "not_allowed")
    withdrawn = post(applicant, url(app, "withdraw"), {"reason": "不需要了"})
    assert withdrawn.json()["status"] == "withdrawn"
    refused(post(applicant, url(app, "withdraw")), 409, "illegal_move")


def test_claim_and_release(client, w):
    app = w.accepted()
    Application.objects.filter(pk=app.pk).update(assigned_to=None)
    sign_in(client, w.reviewer)
    refused(post(client, url(app, "approve")), 403, "not_allowed")  # not his until he claims
    assert post(client, url(app, "claim")).status_code == 200
    assert Application.objects.get(pk=app.pk).assigned_to == w.reviewer
    assert post(client, url(app, "release")).status_code == 200
    assert Application.objects.get(pk=app.pk).assigned_to is None


def test_the_pickup_code_is_shown_to_the_applicant_and_the_clerk_hands_over(client, other_client):
    paper = world(result=ServiceResult.PAPER)
    client.force_login(paper.applicant)
    app = workflow.approve(paper.accepted(), by=paper.reviewer)
    assert app.status == A.RESULT_ISSUED and app.pickup_code
    assert client.get(url(app)).json()["pickup_code"] == app.pickup_code
    clerk = sign_in(other_client, paper.clerk)
    assert clerk.get(url(app)).json()["pickup_code"] is None
    refused(post(clerk, url(app, "approve")), 409, "illegal_move")
    refused(post(client, url(app, "hand-over")), 403, "not_allowed")  # the applicant
    handed = post(clerk, url(app, "hand-over"))
    assert handed.status_code == 200 and handed.json()["status"] == "completed"


# --- Departments' systems -----------------------------------------------------------------


def department_system(department, scopes=("applications",)):
    from allauth.idp.oidc.adapter import get_adapter
    from allauth.idp.oidc.models import Client
    from django.test import Client as HttpClient

    from certificates.models import IssuingSystem
    from tests.portal.oidc_client import basic_auth

    client = Client(name="审批系统", type=Client.Type.CONFIDENTIAL)
    client.set_scopes(list(scopes))
    client.set_grant_types([Client.GrantType.CLIENT_CREDENTIALS])
    client.set_response_types([])
    client.set_redirect_uris([])
    secret = get_adapter().generate_client_secret()
    client.set_secret(secret)
    client.save()
    if department is not None:
        IssuingSystem.objects.create(client=client, department=department)
    response = HttpClient().post(
        "/identity/o/api/token",
        {"grant_type": "client_credentials", "scope": " ".join(scopes)},
        **basic_auth(client.id, secret),
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def test_a_department_system_reads_its_department_s_cases(client, w):
    app = w.accepted()
    world().accepted()  # another department's
    auth = department_system(w.department)
    listed = client.get(LIST, {"queue": "department"}, **auth)
    assert listed.status_code == 200, listed.json()
    assert [c["id"] for c in listed.json()["results"]] == [app.pk]
    assert client.get(LIST, **auth).json()["count"] == 1
    detail = client.get(url(app), **auth)
    assert detail.status_code == 200 and detail.json()["pickup_code"] is None
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert event.actor is None and event.detail["application_id"] == app.pk
    assert event.detail["client_id"]
    refused(client.get(LIST, {"queue": "review"}, **auth), 400, "invalid")


def test_a_department_system_only_reads_and_only_its_own(client, w):
    app = w.submitted()
    draft = w.draft()  # not handed in: not the department's business yet
    auth = department_system(w.department)
    refused(client.get(url(draft), **auth), 404, "not_found")
    assert [c["id"] for c in client.get(LIST, **auth).json()["results"]] == [app.pk]
    refused(post(client, url(app, "accept"), **auth), 403, "permission_denied")
    applying = post(client, LIST, body_for(w), HTTP_IDEMPOTENCY_KEY="sys", **auth)
    refused(applying, 403, "permission_denied")
    other = world().submitted()
    refused(client.get(url(other), **auth), 404, "not_found")
    assert Application.objects.get(pk=app.pk).status == A.SUBMITTED


def test_a_client_without_the_scope_or_registration_is_refused(client, w):
    app = w.submitted()
    refused(
        client.get(url(app), **department_system(w.department, scopes=("certificates",))),
        403,
        "not_a_department_system",
    )
    refused(client.get(url(app), **department_system(None)), 403, "not_a_department_system")
    refused(client.get(url(app), HTTP_AUTHORIZATION="Bearer nope"), 401, "invalid_token")


# --- The schema ----------------------------------------------------------------------------


def test_the_schema_documents_every_endpoint_with_its_errors_and_no_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    import yaml

    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    paths = schema["paths"]
    create = paths["/api/v1/applications/"]["post"]
    assert {"201", "200", "400", "409"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in create["parameters"])
    for action in (
        "accept",
        "request-supplement",
        "resubmit",
        "refuse",
        "approve",
        "deny",
        "withdraw",
        "claim",
        "release",
        "hand-over",
    ):
        responses = paths[f"/api/v1/applications/{{id}}/{action}/"]["post"]["responses"]
        assert {"200", "403", "404", "409"} <= set(responses), action
        assert responses["409"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert (
        "multipart/form-data"
        in (paths["/api/v1/applications/{id}/materials/"]["post"]["requestBody"]["content"])
    )
    client = schema["components"]["securitySchemes"]["departmentClient"]
    assert "applications" in client["flows"]["clientCredentials"]["scopes"]


def test_departments_discover_the_applications_scope(client):
    discovery = client.get("/.well-known/openid-configuration").json()
    assert "applications" in discovery["scopes_supported"]

"""Catalogue administration: scoped to the department administrator's departments, audited;
bundles for system administrators, conflicts refused with the reason shown."""

import json

import pytest

from portal.models import AuditAction, AuditEvent, StaffRole
from services.models import BundleMember, Service
from tests.factories import PASSWORD, DepartmentFactory, ServiceCategoryFactory, make_staff
from tests.services.factories import BundleFactory, ServiceFactory, field

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _relaxed_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


def sign_in(client, user):
    client.cookies["django_language"] = "en"
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture
def department_admin(client):
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    sign_in(client, user)
    return user


def own_department(user):
    return user.staff_assignments.get().department


def service_form(service=None, **changes):
    data = {
        "code": "NEW-0001",
        "name": "新事项",
        "name_en": "",
        "description": "",
        "kind": "public_service",
        "applicant_kind": "person",
        "statutory_limit_days": "20",
        "promised_limit_days": "5",
        "visits_needed": "0",
        "online": "on",
        "bookable": "on",
        "fee": "",
        "legal_basis": "",
        "conditions": "",
        "result_kind": "none",
        "result_name": "",
        "result_certificate_type": "",
        "form_definition": json.dumps({"fields": [field("applicant_name")]}),
        "is_published": "on",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "review_steps-TOTAL_FORMS": "0",
        "review_steps-INITIAL_FORMS": "0",
    }
    if service is not None:
        data.update(
            code=service.code,
            name=service.name,
            department=service.department_id,
            category=service.category_id,
        )
    data.update(changes)
    return data


def test_a_department_admin_sees_only_their_departments_services(client, department_admin):
    mine = ServiceFactory(department=own_department(department_admin), name="本部门事项")
    theirs = ServiceFactory(name="他部门事项")
    page = client.get("/admin/services/service/")
    assert page.status_code == 200
    assert mine.name in page.content.decode() and theirs.name not in page.content.decode()
    assert client.get(f"/admin/services/service/{mine.pk}/change/").status_code == 200
    assert client.get(f"/admin/services/service/{theirs.pk}/change/").status_code in (302, 403, 404)


def test_a_department_admin_cannot_change_another_departments_service(client, department_admin):
    theirs = ServiceFactory(name="他部门事项")
    response = client.post(
        f"/admin/services/service/{theirs.pk}/change/", service_form(theirs, name="改名")
    )
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert theirs.name == "他部门事项"


def test_a_department_admin_cannot_move_a_service_to_another_department(client, department_admin):
    mine = ServiceFactory(department=own_department(department_admin))
    other = DepartmentFactory()
    response = client.post(
        f"/admin/services/service/{mine.pk}/change/", service_form(mine, department=other.pk)
    )
    assert response.status_code == 200
    assert "department" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.department == own_department(department_admin)


def test_a_department_admin_adds_a_service_and_the_change_is_audited(client, department_admin):
    department = own_department(department_admin)
    category = ServiceCategoryFactory()
    response = client.post(
        "/admin/services/service/add/",
        service_form(department=department.pk, category=category.pk),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    service = Service.objects.get(code="NEW-0001")
    event = AuditEvent.objects.get(action=AuditAction.CATALOGUE_CHANGED)
    assert event.actor == department_admin
    assert event.detail["code"] == "NEW-0001" and event.detail["change"] == "created"
    assert event.detail["model"] == "services.service"
    assert service.search_tokens.filter(token="xsx").exists()  # indexed on save


def test_a_form_definition_that_does_not_validate_is_refused_with_the_reason(
    client, department_admin
):
    mine = ServiceFactory(department=own_department(department_admin))
    bad = json.dumps({"fields": [{"key": "x", "label": "X", "type": "colour"}]})
    response = client.post(
        f"/admin/services/service/{mine.pk}/change/", service_form(mine, form_definition=bad)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["form_definition"]
    assert "Field 1 (x): the type must be one of" in errors[0]
    assert not AuditEvent.objects.filter(action=AuditAction.CATALOGUE_CHANGED).exists()


def test_a_form_change_that_would_break_a_bundle_is_refused(client, department_admin):
    mine = ServiceFactory(
        department=own_department(department_admin),
        form_definition={"fields": [field("start", "date")]},
    )
    other = ServiceFactory(form_definition={"fields": [field("start", "date")]})
    bundle = BundleFactory(name="开办一件事")
    BundleMember.objects.create(bundle=bundle, service=mine)
    BundleMember.objects.create(bundle=bundle, service=other)
    response = client.post(
        f"/admin/services/service/{mine.pk}/change/",
        service_form(mine, form_definition=json.dumps({"fields": [field("start", "number")]})),
    )
    assert response.status_code == 200
    assert "开办一件事" in response.context["adminform"].form.errors["form_definition"][0]


def test_bundles_are_for_system_administrators_only(client, department_admin):
    assert client.get("/admin/services/bundle/").status_code == 403


def test_a_system_admin_is_refused_a_conflicting_bundle_and_told_why(client):
    admin_user = make_staff(StaffRole.SYSTEM_ADMIN)
    sign_in(client, admin_user)
    a = ServiceFactory(code="K-1", form_definition={"fields": [field("start", "date")]})
    b = ServiceFactory(code="K-2", form_definition={"fields": [field("start", "text")]})
    data = {
        "slug": "open-shop",
        "name": "开店一件事",
        "name_en": "Opening a shop",
        "description": "",
        "life_event": "starting_business",
        "applicant_kind": "organisation",
        "is_published": "on",
        "order": "0",
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-order": "1",
        "members-0-service": a.pk,
        "members-0-required": "on",
        "members-1-order": "2",
        "members-1-service": b.pk,
        "members-1-required": "on",
    }
    response = client.post("/admin/services/bundle/add/", data)
    assert response.status_code == 200
    errors = " ".join(
        str(e) for e in response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )
    assert "“start”" in errors and "K-1" in errors and "K-2" in errors
    b.form_definition = {"fields": [field("start", "date")]}
    b.save()
    response = client.post("/admin/services/bundle/add/", data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CATALOGUE_CHANGED)
    assert event.detail["slug"] == "open-shop" and "members" in event.fields


def test_a_system_admin_sees_every_department(client):
    admin_user = make_staff(StaffRole.SYSTEM_ADMIN)
    sign_in(client, admin_user)
    services = ServiceFactory.create_batch(3)
    body = client.get("/admin/services/service/").content.decode()
    assert all(s.name in body for s in services)


def test_reviewers_and_citizens_get_no_catalogue_admin(client):
    reviewer = make_staff(StaffRole.REVIEWER)
    sign_in(client, reviewer)
    assert client.get("/admin/services/service/").status_code in (302, 403)


def test_a_department_admin_edits_materials_and_steps_inline(client, department_admin):
    mine = ServiceFactory(department=own_department(department_admin))
    data = service_form(
        mine,
        **{
            "materials-TOTAL_FORMS": "1",
            "materials-0-order": "1",
            "materials-0-key": "id-card",
            "materials-0-name": "居民身份证",
            "materials-0-requirement": "required",
            "materials-0-form": "original",
            "materials-0-copies": "1",
            "materials-0-file_types": "pdf,jpg",
            "materials-0-max_size_mb": "10",
            "review_steps-TOTAL_FORMS": "1",
            "review_steps-0-order": "1",
            "review_steps-0-name": "审核",
            "review_steps-0-department": own_department(department_admin).pk,
            "review_steps-0-role": "reviewer",
        },
    )
    response = client.post(f"/admin/services/service/{mine.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(mine.materials.values_list("key", flat=True)) == ["id-card"]
    assert list(mine.review_steps.values_list("name", flat=True)) == ["审核"]
    event = AuditEvent.objects.get(action=AuditAction.CATALOGUE_CHANGED)
    assert {"materialrequirement", "reviewstep"} <= set(event.fields)

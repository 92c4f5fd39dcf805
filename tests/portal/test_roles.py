"""Roles are data: granted in the admin, audited, and they decide who reaches /admin/."""

import pytest

from portal import roles
from portal.models import AuditAction, AuditEvent, StaffAssignment, StaffRole
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    ServiceCategoryFactory,
    ServiceHallFactory,
    UserFactory,
    make_staff,
)

pytestmark = pytest.mark.django_db


def test_granting_in_the_admin_is_audited_and_opens_the_admin_site(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    admin_user = make_staff(StaffRole.SYSTEM_ADMIN)
    client.post("/accounts/login/", {"login": admin_user.email, "password": PASSWORD})
    target = UserFactory()
    department = DepartmentFactory()
    response = client.post(
        "/admin/portal/staffassignment/add/",
        {"user": target.pk, "role": StaffRole.DEPARTMENT_ADMIN, "department": department.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.is_staff and not target.is_superuser
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED, subject=target)
    assert event.actor == admin_user and event.detail["role"] == StaffRole.DEPARTMENT_ADMIN


def test_revoking_closes_the_admin_site_and_is_audited():
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    assert user.is_staff
    roles.revoke(StaffAssignment.objects.get(user=user), by=None)
    user.refresh_from_db()
    assert not user.is_staff
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED, subject=user).exists()


@pytest.mark.parametrize(
    ("role", "missing"),
    [
        (StaffRole.CLERK, "service_hall"),
        (StaffRole.REVIEWER, "department"),
        (StaffRole.DEPARTMENT_ADMIN, "department"),
    ],
)
def test_a_role_needs_its_scope(role, missing):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        roles.grant(StaffAssignment(user=UserFactory(), role=role), by=None)
    assert missing in info.value.message_dict


def test_clerks_and_reviewers_do_not_get_the_admin_site():
    clerk = make_staff(StaffRole.CLERK)
    roles.grant(
        StaffAssignment(user=clerk, role=StaffRole.REVIEWER, department=DepartmentFactory()),
        by=None,
    )
    clerk.refresh_from_db()
    assert not clerk.is_staff
    assert roles.is_staff_member(clerk)
    assert roles.roles_of(clerk) == {StaffRole.CLERK, StaffRole.REVIEWER}


def test_the_staff_workbench_lists_the_roles(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    hall = ServiceHallFactory(name="天河政务中心")
    clerk = UserFactory()
    roles.grant(StaffAssignment(user=clerk, role=StaffRole.CLERK, service_hall=hall), by=None)
    client.post("/accounts/login/", {"login": clerk.email, "password": PASSWORD})
    page = client.get("/staff/").content.decode()
    assert "天河政务中心" in page and "/staff/identify/" in page


def test_a_reviewer_is_granted_with_service_categories_in_the_admin(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    admin_user = make_staff(StaffRole.SYSTEM_ADMIN)
    client.post("/accounts/login/", {"login": admin_user.email, "password": PASSWORD})
    target, department = UserFactory(), DepartmentFactory()
    food, shops = ServiceCategoryFactory(code="food"), ServiceCategoryFactory(code="shops")
    form = {"user": target.pk, "role": StaffRole.REVIEWER, "department": department.pk}

    refused = client.post("/admin/portal/staffassignment/add/", form)
    assert refused.status_code == 200
    assert "categories" in refused.context["adminform"].form.errors
    assert not StaffAssignment.objects.filter(user=target).exists()

    response = client.post(
        "/admin/portal/staffassignment/add/", {**form, "categories": [food.pk, shops.pk]}
    )
    assert response.status_code == 302
    assignment = StaffAssignment.objects.get(user=target)
    assert set(assignment.categories.all()) == {food, shops}
    event = AuditEvent.objects.get(action=AuditAction.ROLE_GRANTED, subject=target)
    assert event.detail["categories"] == ["food", "shops"]


def test_granting_a_reviewer_without_categories_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        roles.grant(
            StaffAssignment(
                user=UserFactory(), role=StaffRole.REVIEWER, department=DepartmentFactory()
            ),
            by=None,
            categories=[],
        )
    assert not StaffAssignment.objects.exists()

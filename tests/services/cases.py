"""A small world for application tests: one hall with a clerk, one department reviewing one
category, a service with a form, a material and a review step, and a verified applicant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from certificates.models import CertificateType, HolderKind
from portal import roles
from portal.models import (
    Department,
    PersonProfile,
    RealNameLevel,
    ServiceCategory,
    ServiceHall,
    StaffAssignment,
    StaffRole,
    User,
)
from services import drafts, materials, workflow
from services.models import Application, MaterialRequirement, ReviewStep, Service
from services.models.catalogue import ServiceResult
from tests.factories import (
    DepartmentFactory,
    PersonFactory,
    ServiceCategoryFactory,
    ServiceHallFactory,
    UserFactory,
)
from tests.services.factories import (
    CertificateTypeFactory,
    MaterialFactory,
    ReviewStepFactory,
    ServiceFactory,
    field,
)

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def freeze(monkeypatch, moment: dt.datetime) -> None:
    """Make 'now' the given moment for the code under test."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def staff(role: StaffRole, *, hall=None, department=None, categories=()) -> User:
    user = UserFactory()
    roles.grant(
        StaffAssignment(user=user, role=role, service_hall=hall, department=department),
        by=None,
        categories=list(categories) or None,
    )
    user.refresh_from_db()
    return user


@dataclass
class World:
    hall: ServiceHall
    department: Department
    category: ServiceCategory
    service: Service
    material: MaterialRequirement
    step: ReviewStep
    clerk: User
    reviewer: User
    department_admin: User
    applicant: User
    stranger: User

    def draft(self, **kwargs) -> Application:
        app = drafts.start(by=self.applicant, service=self.service, **kwargs)
        drafts.save_answers(app, by=self.applicant, answers={"applicant_name": "张小明"})
        return app

    def submitted(self) -> Application:
        app = self.draft()
        attach_pdf(app, self.material, self.applicant)
        return drafts.submit_draft(app, by=self.applicant)

    def accepted(self) -> Application:
        return workflow.accept(self.submitted(), by=self.clerk)


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def attach_pdf(app, requirement, by):
    import io

    return materials.attach_upload(app, requirement, io.BytesIO(PDF), name="scan.pdf", by=by)


def world(
    *,
    result=ServiceResult.NONE,
    certificate_type: CertificateType | None = None,
    steps: int = 1,
    promised_days: int = 5,
) -> World:
    hall = ServiceHallFactory()
    department = DepartmentFactory()
    category = ServiceCategoryFactory()
    service = ServiceFactory(
        department=department,
        category=category,
        promised_limit_days=promised_days,
        form_definition={"fields": [field("applicant_name")]},
        result_kind=result,
        result_certificate_type=certificate_type,
    )
    service.halls.add(hall)
    material = MaterialFactory(service=service, key="id-card", name="身份证复印件")
    step = ReviewStepFactory(service=service, order=1, name="审核")
    for order in range(2, steps + 1):
        ReviewStepFactory(service=service, order=order, name=f"审批{order}")
    applicant = PersonFactory(realname_level=RealNameLevel.WINDOW).user
    return World(
        hall=hall,
        department=department,
        category=category,
        service=service,
        material=material,
        step=step,
        clerk=staff(StaffRole.CLERK, hall=hall),
        reviewer=staff(StaffRole.REVIEWER, department=department, categories=[category]),
        department_admin=staff(StaffRole.DEPARTMENT_ADMIN, department=department),
        applicant=applicant,
        stranger=PersonFactory().user,
    )


def certificate_world() -> World:
    """A service whose approval issues an e-certificate of a type its department issues."""
    department = DepartmentFactory()
    ctype: CertificateType = CertificateTypeFactory(
        defining_department=department,
        holder_kind=HolderKind.PERSON,
        fields=[{"name": "applicant_name", "label": "姓名", "type": "text", "required": True}],
    )
    ctype.issuing_departments.add(department)
    w = world(result=ServiceResult.CERTIFICATE, certificate_type=ctype)
    w.service.department = department
    w.service.save()
    w.step.department = department
    w.step.save()
    w.reviewer = staff(StaffRole.REVIEWER, department=department, categories=[w.category])
    w.department_admin = staff(StaffRole.DEPARTMENT_ADMIN, department=department)
    w.department = department
    return w


def profile_of(user: User) -> PersonProfile:
    return PersonProfile.objects.get(user=user)

"""The back office's reads: the reviewer's queue and the department's cases with their
filters and SLA counts, and a case's materials as a reviewer sees them (a certificate given
instead of a copy is read under the applicant's consent, verified, and logged for its holder).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from certificates import consents
from certificates.models import Certificate
from certificates.verification import Result, verify_certificate
from portal import roles
from portal.models import StaffAssignment, StaffRole, User
from services import application_display as display
from services import deadlines, formdefs
from services.models import Service
from services.models.applications import (
    CLOCK_STATUSES,
    Application,
    ApplicationStatus,
    Material,
    MaterialSource,
    SlaLevel,
)

A = ApplicationStatus
QUEUE_TABS = {
    "mine": _("Assigned to me"),
    "unassigned": _("Unassigned"),
    "all": _("All of my queue"),
    "decided": _("Decided by me"),
}
DEPARTMENT_TABS = {
    "all": _("All cases"),
    "unassigned": _("Unassigned"),
    "overdue": _("Overdue"),
}
QUEUE_STATUSES = (A.IN_REVIEW, A.REVIEW_SUPPLEMENT)
# What a case he decided may have become since.
DECIDED_STATUSES = (
    A.IN_REVIEW,
    A.REVIEW_SUPPLEMENT,
    A.APPROVED,
    A.RESULT_ISSUED,
    A.COMPLETED,
    A.DENIED,
    A.WITHDRAWN,
)
# A list's rows name their reviewer (masked) and nothing else personal.
ROW_RELATIONS = ("assigned_to__person_profile",)


@dataclass
class Filters:
    """A list's filters as read from the query string; unknown values are ignored."""

    tab: str
    service: int | None = None
    status: str = ""
    sla: str = ""
    reviewer: int | None = None
    active: dict[str, str] = field(default_factory=dict)


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def read_filters(params: Mapping[str, str], tabs: Mapping[str, Any], statuses: Any) -> Filters:
    tab = params.get("tab", "")
    filters = Filters(tab=tab if tab in tabs else next(iter(tabs)))
    filters.service = _number(params.get("service"))
    status = params.get("status", "")
    filters.status = status if status in {str(s) for s in statuses} else ""
    sla = params.get("sla", "")
    filters.sla = sla if sla in SlaLevel.values else ""
    filters.reviewer = _number(params.get("reviewer"))
    filters.active = {
        key: str(value)
        for key, value in (
            ("tab", filters.tab),
            ("service", filters.service),
            ("status", filters.status),
            ("sla", filters.sla),
            ("reviewer", filters.reviewer),
        )
        if value
    }
    return filters


def _filtered(cases: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    if filters.service is not None:
        cases = cases.filter(service_id=filters.service)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.sla:
        cases = cases.filter(sla=filters.sla, status__in=CLOCK_STATUSES)
    if filters.reviewer is not None:
        cases = cases.filter(assigned_to_id=filters.reviewer)
    return cases


def queue_rows(queue: QuerySet[Application], user: User, filters: Filters) -> QuerySet[Application]:
    """The reviewer's tab of his queue, oldest step first (the longest waiting on top)."""
    cases = queue.select_related(*ROW_RELATIONS)
    if filters.tab == "mine":
        cases = cases.filter(assigned_to=user)
    elif filters.tab == "unassigned":
        cases = cases.filter(assigned_to__isnull=True)
    return _filtered(cases, filters).order_by("due_date", "step_started_at", "pk")


def decided_rows(decided: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    """The cases he decided (application_selectors.decided_by), his latest decision first."""
    cases = decided.select_related(*ROW_RELATIONS)
    return _filtered(cases, filters).order_by("-my_decision_at", "-pk")


def department_rows(cases: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    """The department administrator's tab: everything, the unassigned, or the overdue."""
    cases = cases.select_related(*ROW_RELATIONS)
    if filters.tab == "unassigned":
        cases = cases.filter(status__in=QUEUE_STATUSES, assigned_to__isnull=True)
    elif filters.tab == "overdue":
        cases = cases.filter(status__in=CLOCK_STATUSES, sla=SlaLevel.OVERDUE)
    return _filtered(cases, filters).order_by("-created_at", "-pk")


def sla_counts(cases: QuerySet[Application]) -> dict[str, int]:
    """Open cases per SLA colour, and the unassigned ones, in one query."""
    open_cases = cases.filter(status__in=CLOCK_STATUSES)
    return open_cases.aggregate(
        on_time=Count("pk", filter=Q(sla=SlaLevel.ON_TIME)),
        due_soon=Count("pk", filter=Q(sla=SlaLevel.DUE_SOON)),
        overdue=Count("pk", filter=Q(sla=SlaLevel.OVERDUE)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True, status__in=QUEUE_STATUSES)),
    )


def services_in(cases: QuerySet[Application]) -> QuerySet[Service]:
    return Service.objects.filter(pk__in=cases.values("service_id")).order_by("code")


def department_reviewers(user: User) -> QuerySet[User]:
    """The reviewers of the departments he administers (the reviewer filter's choices)."""
    departments = roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN)
    ids = StaffAssignment.objects.filter(
        department_id__in=departments, role=StaffRole.REVIEWER
    ).values("user_id")
    return User.objects.filter(pk__in=ids).select_related("person_profile").order_by("pk")


# --- One case ------------------------------------------------------------------------------


@dataclass
class CertificateRead:
    """A certificate given instead of a copy, as the reviewer may see it now."""

    certificate: Certificate
    result: Result | None  # None: the consent no longer lets his department read it
    surface: list[tuple[str, Any]]


def _surface(certificate: Certificate) -> list[tuple[str, Any]]:
    labels = {
        f["name"]: formdefs.localised({**f, "label": f.get("label", f["name"])}, "label")
        for f in certificate.type.fields
    }
    return [(labels.get(k, k), v) for k, v in (certificate.surface or {}).items()]


def _staff_departments(user: User) -> set[int]:
    return roles.department_ids(user, StaffRole.REVIEWER) | roles.department_ids(
        user, StaffRole.DEPARTMENT_ADMIN
    )


def read_certificate(
    material: Material, *, reader: User, request: HttpRequest | None = None
) -> CertificateRead:
    """Read a certificate material under the applicant's consent, as consents.read does: only
    through a live consent to one of the reader's departments whose giver still holds the
    certificate; the read goes into the holder's use log and the audit log."""
    grant, certificate = material.grant, material.certificate
    assert certificate is not None
    if (
        grant is None
        or not grant.is_live()
        or grant.department_id not in _staff_departments(reader)
        or not consents.granter_holds(grant)
    ):
        return CertificateRead(certificate, None, [])
    consents.record_read(
        certificate,
        reader=reader,
        department=grant.department,
        reason=grant.purpose,
        grant=grant,
        request=request,
    )
    return CertificateRead(certificate, verify_certificate(certificate), _surface(certificate))


@dataclass
class MaterialRow:
    material: Material
    certificate: CertificateRead | None = None

    @property
    def is_upload(self) -> bool:
        return self.material.source == MaterialSource.UPLOAD and bool(self.material.file)


def material_rows(
    application: Application, *, reader: User, request: HttpRequest | None = None
) -> list[MaterialRow]:
    materials = application.materials.select_related(
        "requirement",
        "certificate__type",
        "certificate__issuer",
        "certificate__key",
        "grant__department",
        "grant__granted_by",
    )
    rows = []
    for material in materials:
        row = MaterialRow(material)
        if material.source == MaterialSource.CERTIFICATE and material.certificate is not None:
            row.certificate = read_certificate(material, reader=reader, request=request)
        rows.append(row)
    return rows


@dataclass
class Row:
    """One case of a list with its remaining working days (None: no clock runs)."""

    case: Application
    left: deadlines.Remaining | None

    @property
    def days_overdue(self) -> int:
        return -self.left.days if self.left is not None and self.left.days < 0 else 0


def rows(cases: list[Application]) -> list[Row]:
    left = deadlines.remaining(cases)  # one calendar query for the whole page
    return [Row(case, left.get(case.pk)) for case in cases]


def history(application: Application) -> list[tuple[display.TimelineLine, list[str]]]:
    """The timeline in words (staff see claims and reassignments too), with the supplement
    items each request listed."""
    events = application.events.select_related("actor__person_profile")
    lines = display.timeline(events, for_applicant=False)
    return [(line, [str(i) for i in line.event.detail.get("items", [])]) for line in lines]

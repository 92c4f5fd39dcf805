"""The window clerk's reads and his checklist (窗口收件, 统一窗口出件).

A clerk works only with his halls' cases: another hall's case answers 404 as if it did not
exist. State changes go through ``services.workflow`` and ``services.drafts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.errors import Refusal
from portal.models import ServiceHall, User
from services import application_selectors, materials, permissions
from services.models import MaterialRequirement, Service
from services.models.applications import (
    Application,
    ApplicationStatus,
    Channel,
    Material,
    MaterialSource,
)

A = ApplicationStatus


def services_at_halls(clerk: User, query: str = "") -> QuerySet[Service]:
    """Published services his halls take in, matching ``query`` in the name or the code."""
    found = Service.objects.filter(
        halls__in=permissions.clerk_hall_ids(clerk), is_published=True
    ).select_related("department")
    query = query.strip()[:100]
    if query:
        found = found.filter(
            Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query)
        )
    return found.distinct().order_by("code")


def hall_for(clerk: User, service: Service) -> ServiceHall | None:
    """The first of his halls that takes the service in."""
    return service.halls.filter(pk__in=permissions.clerk_hall_ids(clerk)).order_by("pk").first()


def intake_case(clerk: User, pk: int) -> Application:
    """A case of his halls (not an applicant's online draft), or 404."""
    case = (
        application_selectors.hall_cases(clerk)
        .exclude(status=A.DRAFT, channel=Channel.ONLINE)
        .filter(pk=pk, service__isnull=False)
        .select_related("applicant__person_profile", "organisation")
        .first()
    )
    if case is None:
        raise Http404
    return case


def my_counter_drafts(clerk: User) -> QuerySet[Application]:
    """Counter drafts he started and has not handed in yet."""
    return application_selectors.hall_cases(clerk).filter(
        status=A.DRAFT, channel=Channel.COUNTER, taken_in_by=clerk
    )


@dataclass(frozen=True)
class Tick:
    original_seen: bool
    copy_taken: bool


def apply_checklist(
    application: Application,
    *,
    by: User,
    ticks: Mapping[int, Tick],
    files: Mapping[int, tuple[IO[bytes], str]],
) -> dict[int, str]:
    """Record the paper checklist and scans, requirement by requirement; a scan wins over
    ticks. A material already handed in otherwise (an upload, a certificate) is kept unless
    the clerk ticks or scans something for it. Returns {requirement id: error message}."""
    requirements = {r.pk: r for r in materials.requirements_of(application)}
    have: dict[int, Material] = {m.requirement_id: m for m in application.materials.all()}
    errors: dict[int, str] = {}
    for pk, requirement in requirements.items():
        try:
            if pk in files:
                upload, name = files[pk]
                materials.attach_upload(application, requirement, upload, name=name, by=by)
                continue
            tick = ticks.get(pk, Tick(False, False))
            _tick(application, requirement, tick, have.get(pk), by=by)
        except Refusal as exc:
            errors[pk] = exc.message
    return errors


def _tick(
    application: Application,
    requirement: MaterialRequirement,
    tick: Tick,
    held: Material | None,
    *,
    by: User,
) -> None:
    if held is not None and held.source != MaterialSource.PAPER:
        if not (tick.original_seen or tick.copy_taken):
            return  # keep the scan or certificate
    elif held is not None and (held.original_seen, held.copy_taken) == (
        tick.original_seen,
        tick.copy_taken,
    ):
        return  # unchanged
    elif held is None and not (tick.original_seen or tick.copy_taken):
        return
    materials.check_paper(
        application,
        requirement,
        original_seen=tick.original_seen,
        copy_taken=tick.copy_taken,
        by=by,
    )


def waiting_results(
    clerk: User, *, pickup_code: str = "", applicant: User | None = None
) -> QuerySet[Application]:
    """Results waiting at his halls for this pickup code or this applicant."""
    found = application_selectors.hall_cases(clerk).filter(
        status=A.RESULT_ISSUED, handed_over_at__isnull=True, pickup_code__isnull=False
    )
    if pickup_code:
        return found.filter(pickup_code=pickup_code)
    if applicant is not None:
        return found.filter(applicant=applicant)
    return found.none()


def waiting_result(clerk: User, pk: int) -> Application:
    """One result waiting at his halls, or 404."""
    case = (
        application_selectors.hall_cases(clerk)
        .filter(pk=pk, status=A.RESULT_ISSUED, pickup_code__isnull=False)
        .first()
    )
    if case is None:
        raise Http404
    return case

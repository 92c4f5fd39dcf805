"""Early warnings (穗智管-style, ADR 0014): services, halls and windows whose bad-rating share,
overdue share or waiting time rose clearly over the last seven days compared with the four
weeks before. Each comparison is one GROUP BY with conditional counts.

"Clearly" means all of:
- shares (bad ratings, cases completed late): the last week's share is at least
  ``SHARE_RISE`` (10 percentage points) above the previous four weeks' share, on at least
  ``MIN_COUNT`` (5) cases or ratings in the last week;
- waiting time: the last week's average wait is at least ``WAIT_FACTOR`` (1.5) times the
  previous four weeks' and at least ``WAIT_RISE_MINUTES`` (5) minutes longer, on at least
  ``MIN_TICKETS`` (10) tickets in the last week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal import notifications
from portal.models import ServiceHall, StaffAssignment, StaffRole
from services import statistics
from services.models import Service
from services.models.evaluations import BAD_LEVELS, Evaluation
from services.models.reservations import Ticket, Window

SHARE_RISE = 0.10
MIN_COUNT = 5
WAIT_FACTOR = 1.5
WAIT_RISE_MINUTES = 5.0
MIN_TICKETS = 10

KINDS = {
    "bad_share": _("Bad-rating share"),
    "overdue_share": _("Completed late"),
    "wait": _("Average wait (minutes)"),
}


@dataclass(frozen=True)
class Warning:
    """One clear rise: what, where, the last week's figure against the four weeks before."""

    kind: str
    subject: str  # "service", "hall" or "window"
    subject_id: int
    name: str
    department_id: int | None
    before: float
    now: float
    count: int

    @property
    def label(self) -> str:
        return str(KINDS[self.kind])


def _weeks(today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
    """(first day of the four weeks before, first day of the last week, today)."""
    week = today - dt.timedelta(days=6)
    return week - dt.timedelta(days=28), week, today


def _share_rises(
    rows: Any, subject: str, kind: str, name_key: str, dept_key: str | None
) -> list[Warning]:
    found = []
    for r in rows:
        if r["now_n"] < MIN_COUNT:
            continue
        now = r["now_hit"] / r["now_n"]
        before = r["before_hit"] / r["before_n"] if r["before_n"] else 0.0
        if now - before >= SHARE_RISE:
            found.append(
                Warning(
                    kind,
                    subject,
                    r[subject],
                    str(r[name_key]),
                    r[dept_key] if dept_key else None,
                    round(before, 4),
                    round(now, 4),
                    r["now_n"],
                )
            )
    return found


def _scoped(qs: Any, field: str, department_ids: frozenset[int] | None) -> Any:
    return qs if department_ids is None else qs.filter(**{f"{field}__in": department_ids})


def bad_rating_rises(department_ids: frozenset[int] | None, today: dt.date) -> list[Warning]:
    start, week, end = _weeks(today)
    found: list[Warning] = []
    base = _scoped(
        Evaluation.objects.filter(excluded=False, created_on__gte=start, created_on__lte=end),
        "department",
        department_ids,
    )
    bad = Q(level__in=sorted(BAD_LEVELS))
    now, before = Q(created_on__gte=week), Q(created_on__lt=week)
    counts = {
        "now_n": Count("id", filter=now),
        "now_hit": Count("id", filter=now & bad),
        "before_n": Count("id", filter=before),
        "before_hit": Count("id", filter=before & bad),
    }
    # One scan of the five weeks' ratings, added up per service, hall and window here.
    groups = list(
        base.values("service", "hall", "window", "department").annotate(**counts).order_by()
    )
    for subject, model, name in (
        ("service", Service, "name"),
        ("hall", ServiceHall, "name"),
        ("window", Window, "number"),
    ):
        rows: dict[tuple[int, int | None], dict[str, Any]] = {}
        for g in groups:
            if g[subject] is None:
                continue
            row = rows.setdefault(
                (g[subject], g["department"]),
                {subject: g[subject], "department": g["department"], **dict.fromkeys(counts, 0)},
            )
            for key in counts:
                row[key] += g[key]
        names = dict(
            model.objects.filter(pk__in={pk for pk, _dept in rows}).values_list("pk", name)
        )
        for row in rows.values():
            row["name"] = names.get(row[subject], "")
        found += _share_rises(rows.values(), subject, "bad_share", "name", "department")
    return found


def overdue_rises(department_ids: frozenset[int] | None, today: dt.date) -> list[Warning]:
    """Services whose share of cases completed late rose clearly (from the per-day figures)."""
    start, week, end = _weeks(today)
    now, before = Q(day__gte=week), Q(day__lt=week)
    late = F("completed") - F("on_time")
    rows = (
        statistics.case_rows(statistics.Scope(start, end, department_ids))
        .filter(completed__gt=0)
        .values("service", "service__name", "service__department")
        .annotate(
            now_n=Coalesce(Sum("completed", filter=now), 0),
            now_hit=Coalesce(Sum(late, filter=now), 0),
            before_n=Coalesce(Sum("completed", filter=before), 0),
            before_hit=Coalesce(Sum(late, filter=before), 0),
        )
        .order_by("service")
    )
    return _share_rises(rows, "service", "overdue_share", "service__name", "service__department")


def wait_rises(department_ids: frozenset[int] | None, today: dt.date) -> list[Warning]:
    """Halls whose tickets waited clearly longer (department scope: its services' tickets)."""
    start, week, end = _weeks(today)
    wait = ExpressionWrapper(F("called_at") - F("issued_at"), output_field=DurationField())
    rows = (
        _scoped(
            Ticket.objects.filter(day__gte=start, day__lte=end, called_at__isnull=False),
            "service__department",
            department_ids,
        )
        .values("hall", "hall__name")
        .annotate(
            now_n=Count("id", filter=Q(day__gte=week)),
            now_wait=Avg(wait, filter=Q(day__gte=week)),
            before_wait=Avg(wait, filter=Q(day__lt=week)),
        )
        .order_by()
    )
    found = []
    for r in rows:
        if r["now_n"] < MIN_TICKETS or r["now_wait"] is None:
            continue
        now = r["now_wait"].total_seconds() / 60
        before = r["before_wait"].total_seconds() / 60 if r["before_wait"] is not None else 0.0
        if now >= before * WAIT_FACTOR and now - before >= WAIT_RISE_MINUTES:
            found.append(
                Warning(
                    "wait",
                    "hall",
                    r["hall"],
                    r["hall__name"],
                    None,
                    round(before, 1),
                    round(now, 1),
                    r["now_n"],
                )
            )
    return found


def current(department_ids: frozenset[int] | None, today: dt.date) -> list[Warning]:
    """Every clear rise the reader may see, as of ``today``."""
    return (
        bad_rating_rises(department_ids, today)
        + overdue_rises(department_ids, today)
        + wait_rises(department_ids, today)
    )


TITLE = gettext_noop("Early warnings: %(count)s figures rose clearly this week")
BODY = gettext_noop("%(lines)s")


def send_daily(today: dt.date) -> int:
    """Tell each department administrator his department's warnings (once a day: the key
    holds the date). Hall waiting-time warnings go to the system administrators."""
    sent = 0
    admins = StaffAssignment.objects.filter(
        role__in=[StaffRole.DEPARTMENT_ADMIN, StaffRole.SYSTEM_ADMIN]
    ).select_related("user")
    found = current(None, today)
    for assignment in admins:
        if assignment.role == StaffRole.SYSTEM_ADMIN:
            mine = [w for w in found if w.department_id is None]
        else:
            mine = [w for w in found if w.department_id == assignment.department_id]
        if not mine:
            continue
        lines = "\n".join(f"{w.name}: {w.label} {w.before} → {w.now}" for w in mine)
        made = notifications.notify(
            assignment.user,
            key=f"early-warnings:{today.isoformat()}:{assignment.department_id or 0}",
            title=TITLE,
            body=BODY,
            params={"count": len(mine), "lines": lines},
            link="/staff/statistics/",
        )
        sent += made is not None
    return sent

"""Satisfaction figures (好差评, issue 13, ADR 0014): the ratings' counts for the staff
dashboard, and the public figures of the transparency pages and open data.

Satisfaction rate: ratings 5, 4 or 3 over all ratings, leaving out those overturned on appeal
(``excluded``); defaulted ratings (level 4 by default) count and are shown on their own. The
public figures carry counts and the unit's public code and name only: no person, no comment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from services import statistics
from services.models.evaluations import BAD_LEVELS, SATISFIED_LEVELS, Evaluation, Rectification
from services.statistics import Scope, share


def ratings(scope: Scope) -> QuerySet[Evaluation]:
    """The ratings in scope that count (those overturned on appeal do not)."""
    return Evaluation.objects.filter(
        scope.dates("created_on"), scope.departments("department"), excluded=False
    )


RATING_COUNTS = {
    "ratings": Count("id"),
    "satisfied": Count("id", filter=Q(level__in=sorted(SATISFIED_LEVELS))),
    "bad": Count("id", filter=Q(level__in=sorted(BAD_LEVELS))),
    "defaulted": Count("id", filter=Q(defaulted=True)),
}


RATING_KEYS = ("department", "service", "hall", "window", "staff")


def rating_groups(scope: Scope) -> list[dict[str, Any]]:
    """The ratings in scope counted once per (department, service, hall, window, staff member,
    overturned or not): one scan of the ratings serves every satisfaction table and the totals,
    which add these few hundred rows up by one key (``satisfaction``, ``rating_totals``)."""
    return list(
        Evaluation.objects.filter(scope.dates("created_on"), scope.departments("department"))
        .values(*RATING_KEYS, "excluded")
        .annotate(**RATING_COUNTS)
        .order_by()
    )


def satisfaction(
    scope: Scope, by: str = "department", groups: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Satisfaction rate and bad-rating count per department, service, hall, window or staff
    member (ratings without that attribute are left out of that grouping). ``groups``: the
    scope's ``rating_groups`` when the caller already has them."""
    if by not in RATING_KEYS:
        raise KeyError(by)
    counted: dict[int, dict[str, int]] = {}
    for g in rating_groups(scope) if groups is None else groups:
        if g["excluded"] or g[by] is None:
            continue
        row = counted.setdefault(g[by], dict.fromkeys(RATING_COUNTS, 0))
        for key in RATING_COUNTS:
            row[key] += g[key]
    names = statistics.unit_names(by, sorted(counted))
    return [
        {
            "id": pk,
            "name": names.get(pk, ""),
            **row,
            "satisfaction_rate": share(row["satisfied"], row["ratings"]),
        }
        for pk, row in sorted(counted.items())
    ]


def rating_totals(scope: Scope, groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """All ratings in scope in one row, plus how many were overturned and left out."""
    row: dict[str, Any] = {"overturned": 0, **dict.fromkeys(RATING_COUNTS, 0)}
    for g in rating_groups(scope) if groups is None else groups:
        if g["excluded"]:
            row["overturned"] += g["ratings"]
            continue
        for key in RATING_COUNTS:
            row[key] += g[key]
    row["satisfaction_rate"] = share(row["satisfied"], row["ratings"])
    return row


# --- Public figures (transparency pages, open data, the public API) -------------------------

PUBLIC_GROUPS = {
    "departments": ("department", "department__code", "department__name"),
    "services": ("service", "service__code", "service__name"),
}


def public_figures(which: str, scope: Scope, *, daily: bool = False) -> list[dict[str, Any]]:
    """Per department or service (and per day if ``daily``): ratings, satisfied, bad,
    defaulted, satisfaction rate, cases completed and completed on time. No personal data and
    no free text: counts and the unit's public code and name only."""
    key, code, name = PUBLIC_GROUPS[which]
    rating_fields = [key, code, name] + (["created_on"] if daily else [])
    rated = (
        ratings(scope)
        .filter(**{f"{key}__isnull": False})
        .values(*rating_fields)
        .annotate(**RATING_COUNTS)
        .order_by()
    )
    unit_fields = {
        "departments": (
            "service__department",
            "service__department__code",
            "service__department__name",
        ),
        "services": ("service", "service__code", "service__name"),
    }[which]
    completed = (
        statistics.case_rows(scope)
        .filter(completed__gt=0)
        .values(*unit_fields, *(["day"] if daily else []))
        .annotate(completed=Sum("completed"), on_time=Sum("on_time"))
        .order_by()
    )
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}

    def row(unit: int, unit_code: str, unit_name: str, day: dt.date | None) -> dict[str, Any]:
        base: dict[str, Any] = {"date": day.isoformat()} if daily and day else {}
        base.update({"code": unit_code, "name": unit_name, "id": unit})
        base.update(ratings=0, satisfied=0, bad=0, defaulted=0, completed=0, on_time=0)
        return rows.setdefault((day if daily else None, unit), base)

    for r in rated:
        row(r[key], r[code], r[name], r.get("created_on")).update(
            ratings=r["ratings"],
            satisfied=r["satisfied"],
            bad=r["bad"],
            defaulted=r["defaulted"],
        )
    unit, unit_code, unit_name = unit_fields
    for r in completed:
        target = row(r[unit], r[unit_code], r[unit_name], r.get("day"))
        target["completed"] += r["completed"]
        target["on_time"] += r["on_time"]
    for r in rows.values():
        r["satisfaction_rate"] = share(r["satisfied"], r["ratings"])
        r["on_time_rate"] = share(r["on_time"], r["completed"])
    return sorted(rows.values(), key=lambda r: (r.get("date", ""), r["code"]))


def answered_bad_ratings(scope: Scope, *, service_id: int | None = None, limit: int = 10) -> Any:
    """The latest answered bad ratings, for the public pages: dates, level, service, the
    classification and whether the answer was on time and accepted; never the rater, the
    comment or the answer's text (ADR 0014)."""
    qs = Rectification.objects.filter(
        scope.departments("department"),
        answered_at__isnull=False,
        evaluation__excluded=False,
    )
    if service_id is not None:
        qs = qs.filter(evaluation__service_id=service_id)
    return (
        qs.annotate(answered_day=TruncDate("answered_at"))
        .values(
            "evaluation__created_on",
            "evaluation__level",
            "evaluation__service__name",
            "evaluation__channel",
            "classification",
            "answered_day",
            "due_date",
            "applicant_satisfied",
        )
        .order_by("-answered_at", "-id")[:limit]
    )

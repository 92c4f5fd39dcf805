"""Statistics bench (issue 13, ADR 0014): the response time of each dashboard and public
satisfaction page on a generated year (``manage.py generate_year``: 1,000,000 cases, 500,000
ratings) in PostgreSQL. Goal: under 1 s a page.

``make bench-statistics`` (or ``python -m bench.statistics``) with DATABASE_URL naming the
generated database. First the nightly recount of the per-day case summary
(``services.case_days.refresh``, a year) is timed: that is what a page would pay for days never
counted. Then each page is fetched once with the cache cleared ("cold": the open-data files are
cached an hour), then ``--repeat`` times in process with Django's test client; the median and
the slowest are reported and written to bench/results/statistics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics as stats
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "statistics.json"
GOAL_SECONDS = 1.0


def _pages() -> list[tuple[str, str, str, dict[str, str]]]:
    """(name, who, url, query) of each page measured."""
    import datetime as dt

    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from services.models import Service

    today = timezone.localdate()
    year = {"from": (today - dt.timedelta(days=364)).isoformat(), "to": today.isoformat()}
    busiest = (
        Service.objects.annotate(n=Count("applications"))
        .order_by("-n")
        .values_list("code", "department_id")[:1]
    )
    code, department = busiest[0]
    return [
        ("dashboard, 30 days, all", "admin", reverse("services:dashboard"), {}),
        ("dashboard, a year, all", "admin", reverse("services:dashboard"), year),
        (
            "dashboard, a year, per week",
            "admin",
            reverse("services:dashboard"),
            {**year, "unit": "week"},
        ),
        ("dashboard, a year, one department", "department", reverse("services:dashboard"), year),
        (
            "CSV per service, a year",
            "admin",
            reverse("services:dashboard_csv", args=["services"]),
            year,
        ),
        ("public overview", "public", reverse("services:satisfaction"), {}),
        (
            "public department page",
            "public",
            reverse("services:satisfaction_department", args=[department]),
            {},
        ),
        (
            "public service page",
            "public",
            reverse("services:satisfaction_service", args=[code]),
            {},
        ),
        (
            "open data per department (JSON)",
            "public",
            reverse("services:open_data_file", args=["departments", "json"]),
            {},
        ),
        (
            "open data per service (CSV)",
            "public",
            reverse("services:open_data_file", args=["services", "csv"]),
            {},
        ),
    ]


def _clients() -> dict[str, Any]:
    from django.db.models import Count
    from django.test import Client

    from portal import roles
    from portal.models import StaffAssignment, StaffRole, User
    from services.models import Service

    admin, _ = User.objects.get_or_create(email="bench-statistics-admin@bench.onewindow")
    if not roles.is_system_admin(admin):
        roles.grant(StaffAssignment(user=admin, role=StaffRole.SYSTEM_ADMIN), by=None)
    department = (
        Service.objects.values("department").annotate(n=Count("applications")).order_by("-n")[0]
    )["department"]
    head, _ = User.objects.get_or_create(email="bench-statistics-department@bench.onewindow")
    if not StaffAssignment.objects.filter(user=head, department_id=department).exists():
        roles.grant(
            StaffAssignment(user=head, role=StaffRole.DEPARTMENT_ADMIN, department_id=department),
            by=None,
        )
    clients = {"public": Client()}
    for name, user in (("admin", admin), ("department", head)):
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


def run(repeat: int) -> list[dict[str, Any]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import override_settings

    results = []
    with override_settings(STAFF_MFA_REQUIRED=False, ALLOWED_HOSTS=["*"], DEBUG=False):
        clients = _clients()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM services_application")
            applications = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM services_evaluation")
            ratings = cursor.fetchone()[0]
        print(f"{applications} applications, {ratings} ratings ({connection.vendor})")
        from services import case_days

        began = time.perf_counter()
        days = case_days.refresh(366)
        recount = round(time.perf_counter() - began, 1)
        print(f"nightly recount of the case summary: {days} days in {recount} s")
        for name, who, url, query in _pages():
            times = []
            cold = 0.0
            for attempt in range(repeat + 1):
                if not attempt:
                    cache.clear()
                began = time.perf_counter()
                response = clients[who].get(url, query)
                elapsed = time.perf_counter() - began
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {url} answered {response.status_code}")
                if attempt:
                    times.append(elapsed)
                else:
                    cold = elapsed
            row = {
                "page": name,
                "url": url,
                "cold_s": round(cold, 3),
                "median_s": round(stats.median(times), 3),
                "max_s": round(max(times), 3),
                "under_goal": max(times) < GOAL_SECONDS,
            }
            results.append(row)
            flag = "ok " if row["under_goal"] else "SLOW"
            print(
                f"{flag} {row['median_s']:7.3f} s median {row['max_s']:7.3f} s max "
                f"{row['cold_s']:7.3f} s cold  {name}"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "applications": applications,
                "ratings": ratings,
                "recount_year_s": recount,
                "pages": results,
            },
            indent=2,
        )
    )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.statistics", description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    results = run(args.repeat)
    return 0 if all(r["under_goal"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

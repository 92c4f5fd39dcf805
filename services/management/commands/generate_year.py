"""A year of cases, ratings, rectifications, tickets and bookings for the statistics bench
(ADR 0014), made in PostgreSQL with INSERT … SELECT generate_series: minutes, not hours.

Needs a catalogue and halls (manage.py demo, optionally generate_catalogue). Every generated
case belongs to one applicant account (generated-applicant@bench.onewindow) and has a tracking
token starting with "gy", so ``--clear`` removes exactly what an earlier run made.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from portal.models import User

APPLICANT = "generated-applicant@bench.onewindow"

# Shared by every statement: the services (numbered 0..n-1), the staff who decide, the halls.
PREPARE = """
CREATE TEMP TABLE gy_services ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY id)) - 1 AS i, id, department_id FROM services_service;
CREATE TEMP TABLE gy_staff ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY user_id)) - 1 AS i, user_id
  FROM (SELECT DISTINCT user_id FROM portal_staffassignment) s;
CREATE TEMP TABLE gy_groups ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY g.id)) - 1 AS i, g.id, g.hall_id, g.letter,
    (SELECT min(w.id) FROM services_window w WHERE w.hall_id = g.hall_id) AS window_id,
    (SELECT min(s.id) FROM services_slot s WHERE s.hall_id = g.hall_id) AS slot_id
  FROM services_windowgroup g;
"""

APPLICATIONS = """
INSERT INTO services_application (
  service_id, applicant_id, channel, hall_id, status, answers, bundle_choices, tracking_token,
  request_digest, created_at, submitted_at, accepted_at, due_date, due_provisional, paused_days,
  supplement_items, status_reason, decided_at, completed_at, sla, delivery)
SELECT s.id, %(applicant)s, CASE WHEN b.counter THEN 'counter' ELSE 'online' END,
  CASE WHEN b.counter THEN (SELECT hall_id FROM gy_groups WHERE i = b.g %% greatest(%(groups)s, 1))
  END,
  CASE WHEN b.x < 0.05 THEN 'not_accepted' WHEN b.done > now() THEN 'in_review'
    ELSE 'completed' END,
  '{}', '[]', 'gy' || b.g || 'x' || substr(md5(random()::text), 1, 12), '',
  b.submitted, b.submitted, CASE WHEN b.x >= 0.05 THEN b.submitted + interval '2 hours' END,
  CASE WHEN b.x >= 0.05 THEN (b.submitted + interval '2 hours')::date + 9 END,
  false, 0, '[]', '',
  CASE WHEN b.x >= 0.05 AND b.done <= now() THEN b.done END,
  CASE WHEN b.x >= 0.05 AND b.done <= now() THEN b.done END,
  'on_time', 'none'
FROM (
  SELECT g, random() AS x, g %% 3 = 0 AS counter,
    %(start)s::timestamptz + (g::float8 / %(n)s) * interval '365 days' AS submitted,
    %(start)s::timestamptz + (g::float8 / %(n)s) * interval '365 days' + interval '2 hours'
      + (1 + floor(random() * 8) + CASE WHEN random() < 0.1 THEN floor(random() * 10) ELSE 0 END)
        * interval '1 day' AS done
  FROM generate_series(1, %(n)s) AS g
) b
JOIN gy_services s ON s.i = b.g %% %(services)s
"""

SUPPLEMENTS = """
INSERT INTO services_applicationevent (application_id, at, action, from_status, to_status,
  opinion, detail)
SELECT id, accepted_at + interval '1 day', 'supplement', 'in_review', 'review_supplement', '', '{}'
FROM services_application WHERE id BETWEEN %(lo)s AND %(hi)s AND accepted_at IS NOT NULL
  AND id %% 12 = 0
"""

RATINGS = """
INSERT INTO services_evaluation (application_id, channel, level, comment, tags, follow_up,
  defaulted, excluded, created_at, created_on, department_id, service_id, hall_id, staff_id)
SELECT a.id, 'online', r.level, '', '[]', '', r.defaulted, r.level <= 2 AND r.y < 0.02,
  a.completed_at + interval '1 day', (a.completed_at + interval '1 day')::date,
  s.department_id, a.service_id, a.hall_id,
  (SELECT user_id FROM gy_staff WHERE i = a.id %% greatest(%(staff)s, 1))
FROM (
  SELECT id, service_id, hall_id, completed_at FROM services_application
  WHERE id BETWEEN %(lo)s AND %(hi)s AND status = 'completed' ORDER BY id LIMIT %(n)s
) a
JOIN services_service s ON s.id = a.service_id
CROSS JOIN LATERAL (
  SELECT CASE WHEN x < 0.15 THEN 4 WHEN x < 0.65 THEN 5 WHEN x < 0.83 THEN 4
    WHEN x < 0.92 THEN 3 WHEN x < 0.96 THEN 2 ELSE 1 END AS level,
    x < 0.15 AS defaulted, y
  FROM (SELECT random() + a.id * 0 AS x, random() + a.id * 0 AS y) q
) r
"""

RECTIFICATIONS = """
INSERT INTO services_rectification (evaluation_id, department_id, staff_id, status,
  classification, finding, action_taken, call_back_note, answer, answered_at, opened_at,
  opened_on, due_date, due_provisional, appeal_by, overdue, closed_at)
SELECT e.id, e.department_id, e.staff_id, 'closed', 'reasonable', '', '', '', '',
  e.created_at + q.days * interval '1 day', e.created_at, e.created_on, e.created_on + 14, false,
  e.created_on + 21, q.days > 14, e.created_at + q.days * interval '1 day'
FROM services_evaluation e
CROSS JOIN LATERAL (SELECT 1 + floor(random() * 17 + e.id * 0)::int AS days) q
WHERE e.id > %(after)s AND e.level <= 2
"""

TICKETS = """
INSERT INTO services_ticket (hall_id, group_id, day, serial, number, priority, status,
  issued_at, window_id, called_at, calls, finished_at, service_id)
SELECT gr.hall_id, gr.id, t.day, t.serial, gr.letter || lpad((t.serial %% 1000)::text, 3, '0'),
  false, 'done', t.issued, gr.window_id, t.issued + t.wait, 1,
  t.issued + t.wait + interval '10 minutes',
  (SELECT id FROM gy_services WHERE i = t.g %% %(services)s)
FROM (
  SELECT g, %(start)s::date + (g %% 365) AS day, 100000 + g AS serial,
    (%(start)s::date + (g %% 365))::timestamptz + interval '9 hours'
      + floor(random() * 420) * interval '1 minute' AS issued,
    floor(random() * 40) * interval '1 minute' AS wait
  FROM generate_series(1, %(n)s) g
) t
JOIN gy_groups gr ON gr.i = t.g %% %(groups)s
"""

BOOKINGS = """
INSERT INTO services_booking (code, slot_id, day, hall_id, service_id, person_id, status,
  created_at, changed_at)
SELECT 'GY' || lpad(to_hex(b.g), 10, '0'), gr.slot_id, b.day, gr.hall_id,
  (SELECT id FROM gy_services WHERE i = b.g %% %(services)s), %(applicant)s,
  CASE WHEN random() < 0.08 THEN 'no_show' ELSE 'served' END, b.day::timestamptz,
  b.day::timestamptz
FROM (SELECT g, %(start)s::date + (g %% 365) AS day FROM generate_series(1, %(n)s) g) b
JOIN gy_groups gr ON gr.i = b.g %% %(groups)s
WHERE gr.slot_id IS NOT NULL
"""

CLEAR = [
    "DELETE FROM services_rectification WHERE evaluation_id IN (SELECT e.id FROM "
    "services_evaluation e JOIN services_application a ON a.id = e.application_id "
    "WHERE a.applicant_id = %(applicant)s)",
    "DELETE FROM services_evaluation WHERE application_id IN (SELECT id FROM "
    "services_application WHERE applicant_id = %(applicant)s)",
    "DELETE FROM services_applicationevent WHERE application_id IN (SELECT id FROM "
    "services_application WHERE applicant_id = %(applicant)s)",
    "DELETE FROM services_application WHERE applicant_id = %(applicant)s",
    "DELETE FROM services_ticket WHERE serial > 100000",
    "DELETE FROM services_booking WHERE code LIKE 'GY%%'",
]

# Analysed after generating: without fresh statistics the planner misjudges the ticket and
# booking aggregations by orders of magnitude and sorts them on disk.
GENERATED_TABLES = (
    "application",
    "applicationevent",
    "evaluation",
    "rectification",
    "ticket",
    "booking",
)


class Command(BaseCommand):
    help = "Generate a year of cases and ratings for the statistics bench (PostgreSQL only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--applications", type=int, default=1_000_000)
        parser.add_argument("--ratings", type=int, default=500_000)
        parser.add_argument("--tickets", type=int, default=300_000)
        parser.add_argument("--bookings", type=int, default=200_000)
        parser.add_argument("--clear", action="store_true", help="Remove an earlier run first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_year needs PostgreSQL (set DATABASE_URL).")
        applicant, _created = User.objects.get_or_create(email=APPLICANT)
        params: dict[str, Any] = {"applicant": applicant.pk}
        began = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            if options["clear"]:
                for statement in CLEAR:
                    cursor.execute(statement, params)
            cursor.execute(PREPARE)
            cursor.execute("SELECT count(*) FROM gy_services")
            services = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM gy_groups")
            groups = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM gy_staff")
            staff = cursor.fetchone()[0]
            if not services:
                raise CommandError("No services: run manage.py demo first.")
            cursor.execute("SELECT coalesce(max(id), 0) FROM services_application")
            lo = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM services_evaluation")
            after = cursor.fetchone()[0]
            cursor.execute("SELECT (now() - interval '365 days')::date")
            start = cursor.fetchone()[0]
            params.update(
                start=start, services=services, groups=groups, staff=staff, lo=lo, after=after
            )
            steps = [
                ("applications", APPLICATIONS, options["applications"]),
                ("supplement events", SUPPLEMENTS, None),
                ("ratings", RATINGS, options["ratings"]),
                ("rectifications", RECTIFICATIONS, None),
            ]
            if groups:
                steps += [
                    ("tickets", TICKETS, options["tickets"]),
                    ("bookings", BOOKINGS, options["bookings"]),
                ]
            for name, statement, n in steps:
                step = time.monotonic()
                cursor.execute("SELECT coalesce(max(id), 0) FROM services_application")
                params["hi"] = cursor.fetchone()[0]
                cursor.execute(statement, {**params, "n": n})
                self.stdout.write(f"{cursor.rowcount:>9} {name} in {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        with connection.cursor() as cursor:
            for table in GENERATED_TABLES:
                cursor.execute(f"ANALYZE services_{table}")
        self.stdout.write(f"analyse in {time.monotonic() - step:.1f} s")
        self.stdout.write(f"generated in {time.monotonic() - began:.1f} s")

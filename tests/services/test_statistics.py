"""The dashboard's figures on a small fixed data set, counted by hand (ADR 0014)."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from services import satisfaction, statistics
from services.models import Application, ApplicationEvent
from services.models.evaluations import Evaluation, Rectification
from services.statistics import Scope
from tests.factories import DepartmentFactory, UserFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MARCH = Scope(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=TZ)


def case(service, applicant, *, submitted=None, accepted=None, completed=None, due=None, **kw):
    return Application.objects.create(
        service=service,
        applicant=applicant,
        status=kw.pop("status", "completed" if completed else "in_review"),
        submitted_at=at(submitted) if submitted else None,
        accepted_at=at(accepted) if accepted else None,
        completed_at=at(completed) if completed else None,
        due_date=dt.date.fromisoformat(due) if due else None,
        **kw,
    )


def rating(service, applicant, level, day, **kw):
    return Evaluation.objects.create(
        application=case(service, applicant),
        channel="online",
        level=level,
        created_on=dt.date.fromisoformat(day),
        department=service.department,
        service=service,
        **kw,
    )


def fixed_data() -> SimpleNamespace:
    """Two departments A and B. March 2026 has no calendar rows: weekdays are working days
    (2 March is a Monday)."""
    a, b = DepartmentFactory(name="A局"), DepartmentFactory(name="B局")
    sa, sb = (
        ServiceFactory(department=a, name="甲事项"),
        ServiceFactory(department=b, name="乙事项"),
    )
    who = UserFactory()
    # A: on time in 4 working days (3,4,5,6 March).
    case(
        sa,
        who,
        submitted="2026-03-02",
        accepted="2026-03-02",
        completed="2026-03-06",
        due="2026-03-09",
    )
    # A: late, 5 working days (4,5,6,9,10 March), asked for a supplement.
    late = case(
        sa,
        who,
        submitted="2026-03-02",
        accepted="2026-03-03",
        completed="2026-03-10",
        due="2026-03-09",
    )
    ApplicationEvent.objects.create(application=late, to_status="review_supplement", action="x")
    # A: refused at intake: received only.
    case(sa, who, submitted="2026-03-03", status="not_accepted")
    # B: on time in 1 working day.
    case(
        sb,
        who,
        submitted="2026-03-04",
        accepted="2026-03-04",
        completed="2026-03-05",
        due="2026-03-10",
    )
    # Outside March: counted nowhere.
    case(
        sa,
        who,
        submitted="2026-02-10",
        accepted="2026-02-10",
        completed="2026-02-11",
        due="2026-02-20",
    )
    clerk = UserFactory()
    rating(sa, who, 5, "2026-03-05", staff=clerk)
    rating(sa, who, 4, "2026-03-06", defaulted=True)
    rating(sa, who, 3, "2026-03-06", staff=clerk)
    two = rating(sa, who, 2, "2026-03-07")
    one = rating(sa, who, 1, "2026-03-08")
    rating(sa, who, 1, "2026-03-09", excluded=True)  # overturned on appeal
    rating(sa, who, 1, "2026-02-20")  # February
    rating(sb, who, 5, "2026-03-05")
    three = rating(sb, who, 2, "2026-03-05")
    rect = {"appeal_by": dt.date(2026, 4, 30)}
    Rectification.objects.create(
        evaluation=two,
        department=a,
        opened_on=dt.date(2026, 3, 7),
        due_date=dt.date(2026, 3, 10),
        answered_at=at("2026-03-09"),
        **rect,
    )
    Rectification.objects.create(
        evaluation=one,
        department=a,
        opened_on=dt.date(2026, 3, 8),
        due_date=dt.date(2026, 3, 16),
        answered_at=at("2026-03-20"),
        overdue=True,
        **rect,
    )
    Rectification.objects.create(
        evaluation=three,
        department=b,
        opened_on=dt.date(2026, 3, 5),
        due_date=dt.date(2026, 3, 20),
        **rect,
    )
    return SimpleNamespace(a=a, b=b, sa=sa, sb=sb)


@pytest.fixture
def data():
    return fixed_data()


def test_cases_received_accepted_and_completed_per_day_and_month(data):
    per_day = statistics.applications_over_time(MARCH, "day")
    assert [(r["period"].day, r["received"], r["accepted"], r["completed"]) for r in per_day] == [
        (2, 2, 1, 0),
        (3, 1, 1, 0),
        (4, 1, 1, 0),
        (5, 0, 0, 1),
        (6, 0, 0, 1),
        (10, 0, 0, 1),
    ]
    per_month = statistics.applications_over_time(MARCH, "month")
    assert [(r["received"], r["accepted"], r["completed"]) for r in per_month] == [(4, 3, 3)]


def test_on_time_rate_working_days_and_supplement_rate_per_service(data):
    rows = {r["service_id"]: r for r in statistics.service_performance(MARCH)}
    assert rows[data.sa.pk]["received"] == 3
    assert rows[data.sa.pk]["completed"] == 2
    assert rows[data.sa.pk]["on_time_rate"] == 0.5
    assert rows[data.sa.pk]["average_working_days"] == 4.5
    assert rows[data.sa.pk]["supplement_rate"] == 0.3333
    assert rows[data.sb.pk]["on_time_rate"] == 1.0
    assert rows[data.sb.pk]["average_working_days"] == 1.0
    assert rows[data.sb.pk]["supplement_rate"] == 0.0


def test_satisfaction_leaves_out_overturned_ratings_and_shows_defaulted_ones(data):
    rows = {r["id"]: r for r in satisfaction.satisfaction(MARCH, "department")}
    assert rows[data.a.pk] | {} == {
        "id": data.a.pk,
        "name": "A局",
        "ratings": 5,
        "satisfied": 3,
        "bad": 2,
        "defaulted": 1,
        "satisfaction_rate": 0.6,
    }
    assert (
        rows[data.b.pk]["ratings"],
        rows[data.b.pk]["bad"],
        rows[data.b.pk]["satisfaction_rate"],
    ) == (
        2,
        1,
        0.5,
    )
    totals = satisfaction.rating_totals(MARCH)
    assert (totals["ratings"], totals["bad"], totals["overturned"]) == (7, 3, 1)
    staff = satisfaction.satisfaction(MARCH, "staff")
    assert [(r["ratings"], r["satisfaction_rate"]) for r in staff] == [(2, 1.0)]


def test_rectified_on_time_per_department(data):
    rows = {r["id"]: r for r in statistics.rectifications(MARCH)}
    assert (rows[data.a.pk]["opened"], rows[data.a.pk]["answered"], rows[data.a.pk]["on_time"]) == (
        2,
        2,
        1,
    )
    assert rows[data.a.pk]["overdue"] == 1
    assert (
        rows[data.b.pk]["opened"],
        rows[data.b.pk]["answered"],
        rows[data.b.pk]["on_time_rate"],
    ) == (
        1,
        0,
        None,
    )


def test_a_department_scope_counts_only_that_department(data):
    only_b = Scope(MARCH.first, MARCH.last, frozenset({data.b.pk}))
    assert [r["service_id"] for r in statistics.service_performance(only_b)] == [data.sb.pk]
    assert [r["id"] for r in satisfaction.satisfaction(only_b, "department")] == [data.b.pk]
    assert satisfaction.rating_totals(only_b)["ratings"] == 2


def test_public_daily_figures_per_service(data):
    rows = satisfaction.public_figures("services", MARCH, daily=True)
    day5 = [r for r in rows if r["date"] == "2026-03-05"]
    assert {
        (r["code"], r["ratings"], r["satisfied"], r["completed"], r["on_time"]) for r in day5
    } == {
        (data.sa.code, 1, 1, 0, 0),
        (data.sb.code, 2, 1, 1, 1),
    }

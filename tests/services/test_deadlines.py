"""Due dates follow the calendar: provisional beyond the published year, recomputed when it is
entered; remaining working days and the SLA colours."""

import datetime as dt

import pytest

from portal.models import StaffRole
from services import deadlines, workflow
from services.models import Application, CalendarDay
from services.models.applications import SlaLevel
from tests.factories import PASSWORD
from tests.services.cases import at, freeze, staff, world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
D = dt.date


def test_a_deadline_in_the_unpublished_year_is_provisional_until_the_year_is_entered(monkeypatch):
    w = world(promised_days=5)
    freeze(monkeypatch, at(D(2026, 12, 28)))
    app = workflow.accept(w.submitted(), by=w.clerk)
    # 29, 30, 31 Dec, then 1 and 4 Jan counted as weekdays: New Year's Day is not known yet.
    assert (app.due_date, app.due_provisional) == (D(2027, 1, 4), True)
    CalendarDay.objects.bulk_create(
        CalendarDay(
            date=D(2027, 1, 1) + dt.timedelta(days=n),
            is_workday=(D(2027, 1, 1) + dt.timedelta(days=n)).weekday() < 5 and n > 0,
        )
        for n in range(365)
    )
    assert deadlines.recompute_open() == 1
    app.refresh_from_db()
    assert (app.due_date, app.due_provisional) == (D(2027, 1, 5), False)


def test_an_administrators_holiday_moves_open_deadlines(client, monkeypatch, settings):
    settings.STAFF_MFA_REQUIRED = False
    w = world(promised_days=3)
    freeze(monkeypatch, at(D(2026, 3, 2)))
    app = workflow.accept(w.submitted(), by=w.clerk)
    assert app.due_date == D(2026, 3, 5)
    admin = staff(StaffRole.SYSTEM_ADMIN)
    client.post("/accounts/login/", {"login": admin.email, "password": PASSWORD})
    response = client.post(
        "/admin/services/calendarday/2026-03-04/change/", {"is_workday": "", "name": "台风停工"}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.due_date == D(2026, 3, 6)


def test_remaining_days_and_colours(monkeypatch):
    w = world(promised_days=3)
    freeze(monkeypatch, at(D(2026, 3, 2)))  # Monday: due Thursday 5 March
    app = workflow.accept(w.submitted(), by=w.clerk)
    cases = [Application.objects.get(pk=app.pk)]
    assert deadlines.remaining(cases, D(2026, 3, 2))[app.pk].days == 3
    assert deadlines.remaining(cases, D(2026, 3, 4))[app.pk].level == SlaLevel.DUE_SOON
    assert deadlines.remaining(cases, D(2026, 3, 5))[app.pk].level == SlaLevel.DUE_SOON
    assert deadlines.remaining(cases, D(2026, 3, 6))[app.pk].level == SlaLevel.OVERDUE
    assert deadlines.refresh_sla(D(2026, 3, 4)) == [(app.pk, SlaLevel.DUE_SOON)]
    assert deadlines.refresh_sla(D(2026, 3, 4)) == []  # told once
    assert deadlines.refresh_sla(D(2026, 3, 9)) == [(app.pk, SlaLevel.OVERDUE)]
    app.refresh_from_db()
    assert app.sla == SlaLevel.OVERDUE


def test_the_sla_sweep_tells_the_reviewer_and_the_department_administrator(monkeypatch):
    from portal.models import Notification
    from services import tasks

    w = world(promised_days=1)
    freeze(monkeypatch, at(D(2026, 3, 2)))
    workflow.accept(w.submitted(), by=w.clerk)
    freeze(monkeypatch, at(D(2026, 3, 4)))
    assert tasks.sweep_sla() == 1
    told = set(Notification.objects.filter(key__startswith="sla:").values_list("user", flat=True))
    assert told == {w.reviewer.pk, w.department_admin.pk}
    assert tasks.sweep_sla() == 0

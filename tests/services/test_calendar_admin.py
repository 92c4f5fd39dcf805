"""System administrators keep the calendar: edits audited and kept, next year's gap announced."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client

from portal.models import AuditAction, AuditEvent, StaffRole
from services.models import CalendarDay
from services.models.calendar import CalendarSource
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _relaxed_mfa(settings):
    settings.STAFF_MFA_REQUIRED = False


def signed_in(role):
    user = make_staff(role)
    client = Client()
    client.cookies["django_language"] = "en"
    assert (
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return client, user


@pytest.fixture
def today_in_december(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 12, 6))


def test_a_system_administrator_marks_a_day_off_and_the_edit_is_audited(english):
    client, admin_user = signed_in(StaffRole.SYSTEM_ADMIN)
    response = client.post(
        "/admin/services/calendarday/2026-03-09/change/",
        {"is_workday": "", "name": "Typhoon Saola"},
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2026, 3, 9))
    assert (day.is_workday, day.name, day.source) == (
        False,
        "Typhoon Saola",
        CalendarSource.ADMINISTRATOR,
    )
    event = AuditEvent.objects.get(action=AuditAction.CATALOGUE_CHANGED, actor=admin_user)
    assert event.detail["model"] == "services.calendarday"
    assert "is_workday" in event.fields


def test_a_department_administrator_cannot_edit_the_calendar():
    client, _ = signed_in(StaffRole.DEPARTMENT_ADMIN)
    assert client.get("/admin/services/calendarday/").status_code == 403
    response = client.post("/admin/services/calendarday/2026-03-09/change/", {"is_workday": ""})
    assert response.status_code == 403
    assert CalendarDay.objects.get(date=dt.date(2026, 3, 9)).is_workday is True


def test_the_admin_warns_from_november_when_next_year_is_missing(english, today_in_december):
    client, _ = signed_in(StaffRole.SYSTEM_ADMIN)
    page = client.get("/admin/").content.decode()
    assert "The working-day calendar for 2027 is not loaded" in page
    changelist = client.get("/admin/services/calendarday/").content.decode()
    assert "The working-day calendar for 2027 is not loaded" in changelist


def test_no_warning_once_next_year_is_loaded(english, today_in_december):
    CalendarDay.objects.bulk_create(
        CalendarDay(date=dt.date(2027, 1, 1) + dt.timedelta(days=n), is_workday=True)
        for n in range(365)
    )
    client, _ = signed_in(StaffRole.SYSTEM_ADMIN)
    assert "is not loaded" not in client.get("/admin/").content.decode()


def test_the_health_check_names_the_missing_year_but_stays_up(client, today_in_december):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["warnings"] == ["calendar: 2027 not loaded"]


def test_the_calendar_command_reloads_a_year_and_reports_status(capsys, today_in_december):
    CalendarDay.objects.filter(date__year=2026).delete()
    call_command("calendar", "status")
    out = capsys.readouterr()
    assert "2026: NOT LOADED" in out.out
    assert "2027" in out.err
    call_command("calendar", "load", "--year", "2026")
    assert CalendarDay.objects.filter(date__year=2026).count() == 365
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).is_workday is True  # make-up day


def test_the_calendar_list_names_holidays_and_make_up_workdays_in_the_readers_language():
    client, _ = signed_in(StaffRole.SYSTEM_ADMIN)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/admin/services/calendarday/?year=2026&date__month=2").content.decode()
    assert "春节（调休上班）" in page  # Saturday 14 February 2026 is worked
    assert "Spring Festival" not in page
    assert "星期六" in page

"""GET /api/v1/calendar/due-date/: public, same rule as the application deadlines."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

pytestmark = pytest.mark.django_db
URL = "/api/v1/calendar/due-date/"


def test_due_date_across_the_spring_festival():
    response = APIClient().get(URL, {"start": "2026-02-13", "days": 5})
    assert response.status_code == 200
    assert response.json() == {"due": "2026-02-27", "provisional": False}


def test_a_due_date_in_an_unpublished_year_is_provisional():
    response = APIClient().get(URL, {"start": "2026-12-30", "days": 10})
    assert response.status_code == 200
    assert response.json()["provisional"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "start"),
        ({"start": "2026-02-13"}, "days"),
        ({"start": "13/02/2026", "days": 5}, "start"),
        ({"start": "2026-02-30", "days": 5}, "start"),
        ({"start": "1899-12-31", "days": 5}, "start"),
        ({"start": "2026-02-13", "days": -1}, "days"),
        ({"start": "2026-02-13", "days": 1001}, "days"),
        ({"start": "2026-02-13", "days": "five"}, "days"),
        ({"start": "2026-02-13", "days": "1e3"}, "days"),
    ],
)
def test_bad_queries_are_refused_with_the_field_named(query, field, english):
    response = APIClient().get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"]
    assert field in body["fields"]
    assert body["detail"]


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("start=2026-02-30&days=5", "There is no such day as 2026-02-30"),
        ("start=2025-13-01&days=5", "There is no such day as 2025-13-01"),
        ("start=2026-2-3&days=5", "Give the date as YYYY-MM-DD"),
        ("start=2026-02-13&days=3&days=5", "Give this parameter once."),
    ],
)
def test_each_bad_date_or_repeat_says_what_is_wrong(query, says, english):
    response = APIClient().get(f"{URL}?{query}")
    assert response.status_code == 400
    assert says in str(response.json()["fields"])


def test_the_calendar_api_is_throttled_per_address(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/min"})
    client = APIClient()
    answers = [client.get(URL, {"start": "2026-03-02", "days": 1}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    other = APIClient(REMOTE_ADDR="10.9.8.7")
    assert other.get(URL, {"start": "2026-03-02", "days": 1}).status_code == 200

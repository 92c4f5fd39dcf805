"""Names a department administrator types in /admin/ reach the dashboard's CSV and the public
open-data CSV: a name starting with =, +, -, @ (or a tab or carriage return) must open in a
spreadsheet as text, never as a formula (CSV injection, OWASP)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import StaffRole
from services.models import Service
from services.models.evaluations import Evaluation
from tests.factories import make_staff
from tests.services.test_statistics import fixed_data

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://evil.example/","甲事项")'


def _rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture
def data(settings):
    settings.STAFF_MFA_REQUIRED = False
    found = fixed_data()
    Service.objects.filter(name="甲事项").update(name=FORMULA)
    return found


def test_a_formula_in_a_name_is_text_in_the_dashboard_csv(client, data):
    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN))
    url = reverse("services:dashboard_csv", args=["services"])
    cells = [
        c for row in _rows(client.get(url, {"from": "2026-03-01", "to": "2026-03-31"})) for c in row
    ]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_a_formula_in_a_name_is_text_in_the_open_data_csv(client, data):
    Evaluation.objects.update(created_on=timezone.localdate())
    response = client.get(reverse("services:open_data_file", args=["services", "csv"]))
    cells = [c for row in _rows(response) for c in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_numbers_stay_numbers(client, data):
    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN))
    url = reverse("services:dashboard_csv", args=["satisfaction_department"])
    rows = _rows(client.get(url, {"from": "2026-03-01", "to": "2026-03-31"}))
    assert rows[1] == ["A局", "5", "0.6", "2", "1"]

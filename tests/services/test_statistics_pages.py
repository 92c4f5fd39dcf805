"""The statistics dashboard's permission scopes, its CSV export and its query count; the public
satisfaction pages and open data carry no personal data (ADR 0014)."""

import csv
import io
import json

import pytest
from django.urls import reverse

from portal import roles
from portal.models import StaffAssignment, StaffRole
from tests.factories import UserFactory, make_staff
from tests.services.test_statistics import fixed_data

pytestmark = pytest.mark.django_db
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def data():
    return fixed_data()


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False  # the /staff/ guard is tested with the workbench


def admin_of(department):
    user = UserFactory()
    roles.grant(
        StaffAssignment(user=user, role=StaffRole.DEPARTMENT_ADMIN, department=department), by=None
    )
    return user


def dashboard(client, **params):
    return client.get(reverse("services:dashboard"), {**MARCH, **params})


def csv_rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def test_a_department_administrator_sees_only_his_department(client, data):
    client.force_login(admin_of(data.b))
    page = dashboard(client).content.decode()
    assert "乙事项" in page and "甲事项" not in page
    assert "A局" not in page
    assert dashboard(client, department=data.a.pk).status_code == 404


def test_a_system_administrator_sees_every_department_and_can_narrow_to_one(client, data):
    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN))
    page = dashboard(client).content.decode()
    assert "甲事项" in page and "乙事项" in page
    narrowed = dashboard(client, department=data.a.pk).content.decode()
    assert "甲事项" in narrowed and "乙事项" not in narrowed


@pytest.mark.parametrize("role", [StaffRole.REVIEWER, StaffRole.CLERK])
def test_other_staff_are_refused(client, data, role):
    client.force_login(make_staff(role))
    assert dashboard(client).status_code == 403
    url = reverse("services:dashboard_csv", args=["services"])
    assert client.get(url, MARCH).status_code == 403


def test_a_citizen_is_refused_and_a_visitor_sent_to_sign_in(client, data):
    assert dashboard(client).status_code == 302
    client.force_login(UserFactory())
    assert dashboard(client).status_code == 403


def test_each_table_downloads_as_csv_with_the_page_figures(client, data):
    client.force_login(admin_of(data.a))
    response = client.get(
        reverse("services:dashboard_csv", args=["satisfaction_department"]), MARCH
    )
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response) == [
        {"name": "A局", "ratings": "5", "satisfaction_rate": "0.6", "bad": "2", "defaulted": "1"}
    ]
    services = csv_rows(client.get(reverse("services:dashboard_csv", args=["services"]), MARCH))
    assert [(r["service"], r["on_time_rate"], r["average_working_days"]) for r in services] == [
        ("甲事项", "0.5", "4.5")
    ]


def test_the_page_passes_chart_data_without_inline_script(client, data):
    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN))
    page = dashboard(client).content.decode()
    assert 'id="dashboard-charts" type="application/json"' in page
    assert "vendor/echarts/echarts.min.js" in page
    assert "<script>" not in page


def test_the_dashboard_takes_a_fixed_number_of_queries(client, data, django_assert_max_num_queries):
    from services.models import Application

    client.force_login(make_staff(StaffRole.SYSTEM_ADMIN))
    dashboard(client)
    with django_assert_max_num_queries(40) as few:
        dashboard(client)
    for _ in range(20):
        Application.objects.create(service=data.sa, applicant=UserFactory(), status="submitted")
    with django_assert_max_num_queries(len(few.captured_queries)):
        dashboard(client)


def test_public_pages_show_the_figures_and_no_names_or_comments(client, data):
    from services.models.evaluations import Evaluation

    Evaluation.objects.filter(service=data.sa).update(
        comment="窗口人员王某态度差", created_on="2026-03-20"
    )
    overview = client.get(reverse("services:satisfaction")).content.decode()
    assert "A局" in overview
    page = client.get(
        reverse("services:satisfaction_department", args=[data.a.pk])
    ).content.decode()
    assert "甲事项" in page and "王某" not in page


def test_open_data_has_counts_only(client, data):
    from django.utils import timezone

    from services.models.evaluations import Evaluation

    Evaluation.objects.update(created_on=timezone.localdate(), comment="王某 13912345678")
    for fmt in ("csv", "json"):
        response = client.get(reverse("services:open_data_file", args=["services", fmt]))
        text = response.content.decode("utf-8-sig")
        assert "王某" not in text and "139" not in text
    rows = json.loads(
        client.get(reverse("services:open_data_file", args=["departments", "json"])).content
    )
    assert set(rows[0]) == {
        "date",
        "code",
        "name",
        "ratings",
        "satisfied",
        "bad",
        "defaulted",
        "satisfaction_rate",
        "completed",
        "on_time",
        "on_time_rate",
    }
    assert sum(r["ratings"] for r in rows) == 8
    page = client.get(reverse("services:open_data")).content.decode()
    assert "satisfaction_rate" in page


def test_the_statistics_api_follows_the_dashboard_scopes(client, data):
    url = reverse("services_api:statistics", args=["satisfaction_department"])
    assert client.get(url, MARCH).status_code in (401, 403)
    client.force_login(admin_of(data.b))
    rows = client.get(url, MARCH).json()
    assert [(r["name"], r["ratings"], r["satisfaction_rate"]) for r in rows] == [("B局", 2, 0.5)]
    assert client.get(url, {**MARCH, "department": data.a.pk}).status_code == 404
    assert client.get(reverse("services_api:statistics", args=["nothing"])).status_code == 404
    client.force_login(make_staff(StaffRole.REVIEWER))
    refused = client.get(url, MARCH)
    assert refused.status_code == 403 and refused.json()["detail"]


def test_the_public_satisfaction_api_gives_the_open_data_rows(client, data):
    from django.utils import timezone

    from services.models.evaluations import Evaluation

    Evaluation.objects.update(created_on=timezone.localdate())
    rows = client.get(reverse("services_api:satisfaction", args=["services"])).json()
    assert {r["code"]: r["ratings"] for r in rows} == {data.sa.code: 6, data.sb.code: 2}
    assert client.get(reverse("services_api:satisfaction", args=["people"])).status_code == 404

"""The department administrator's workbench says when bad ratings' rectifications are overdue."""

import datetime as dt

import pytest
from django.test import Client

from services import rectification
from tests.services.cases import world
from tests.services.test_rectification import bad_rating

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


def test_the_department_workbench_names_overdue_rectifications_with_a_link(settings, english):
    settings.STAFF_MFA_REQUIRED = False
    w = world()
    rect = bad_rating(w)
    client = Client()
    client.force_login(w.department_admin)
    assert (
        "rectification-reminder" not in client.get("/staff/workbench/department/").content.decode()
    )
    rectification.flag_overdue(rect.due_date + dt.timedelta(days=1))
    page = client.get("/staff/workbench/department/").content.decode()
    assert "1 rectification is overdue." in page
    assert "/staff/rectifications/?show=overdue" in page

"""受理编号: each department counts its own acceptances, and each day starts again at 1."""

from __future__ import annotations

import datetime as dt

import pytest

from services import codes

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)


def test_each_department_and_day_counts_its_own_acceptance_numbers():
    assert codes.acceptance_number(12, DAY) == "SL20261207-0012-00001"
    assert codes.acceptance_number(12, DAY) == "SL20261207-0012-00002"
    assert codes.acceptance_number(7, DAY) == "SL20261207-0007-00001"
    assert codes.acceptance_number(12, DAY + dt.timedelta(days=1)) == "SL20261208-0012-00001"
    assert codes.acceptance_number(12, DAY) == "SL20261207-0012-00003"

"""English mode shows the English names kept for halls, departments and services; Chinese mode
the Chinese ones (issue 11: English mode showed addresses in Chinese where English was kept)."""

from __future__ import annotations

import pytest

from tests.factories import ServiceHallFactory
from tests.services.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall():
    return ServiceHallFactory(
        name="天河区政务服务中心",
        name_en="Tianhe District Government Service Centre",
        address="广州市天河区华观路1933号",
        address_en="1933 Huaguan Road, Tianhe District, Guangzhou",
        opening_hours="周一至周五 9:00-17:00",
        opening_hours_en="Monday to Friday 9:00-17:00",
    )


def test_the_guide_names_its_halls_in_english_in_english_mode(client, english, hall):
    service = ServiceFactory()
    service.halls.add(hall)
    guide = client.get(f"/services/{service.code}/").content.decode()
    assert "Tianhe District Government Service Centre" in guide
    assert "1933 Huaguan Road, Tianhe District, Guangzhou" in guide
    assert "Monday to Friday 9:00-17:00" in guide
    assert "天河区政务服务中心" not in guide
    assert "华观路" not in guide


def test_the_guide_names_its_halls_in_chinese_by_default(client, hall):
    service = ServiceFactory()
    service.halls.add(hall)
    guide = client.get(f"/services/{service.code}/").content.decode()
    assert "天河区政务服务中心" in guide
    assert "广州市天河区华观路1933号" in guide
    assert "Huaguan Road" not in guide


def test_a_hall_without_english_keeps_its_chinese_name_in_english_mode(client, english):
    service = ServiceFactory()
    hall = ServiceHallFactory(name="越秀区政务服务中心", address="广州市越秀区东风中路268号")
    service.halls.add(hall)
    guide = client.get(f"/services/{service.code}/").content.decode()
    assert "越秀区政务服务中心" in guide
    assert "广州市越秀区东风中路268号" in guide


def test_the_demo_halls_keep_english_names_and_addresses():
    from portal import demo
    from portal.models import ServiceHall
    from services import demo as catalogue_demo

    demo.load()
    catalogue_demo.load()
    halls = ServiceHall.objects.all()
    assert halls.count() >= 4
    assert all(hall.name_en and hall.address_en for hall in halls)

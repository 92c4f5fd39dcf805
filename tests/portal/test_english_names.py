"""English mode shows the English names kept for halls, departments and services; Chinese mode
the Chinese ones (issue 11: English mode showed addresses in Chinese where English was kept)."""

from __future__ import annotations

import io
import re

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


@pytest.fixture
def demo(settings):
    from django.core.management import call_command

    settings.STAFF_MFA_REQUIRED = False
    call_command("demo", stdout=io.StringIO())


def _page(client, email: str, path: str) -> str:
    from portal.models import User

    client.force_login(User.objects.get(email=email))
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_staff_certificate_pages_name_types_and_departments_in_english(client, english, demo):
    from certificates.models import Certificate

    admin = "deptadmin@demo.onewindow"
    listing = _page(client, admin, "/staff/certificates/")
    certificate = Certificate.objects.filter(pk__in=_linked_ids(listing, "/staff/certificates/"))[0]
    ctype = certificate.type
    assert ctype.name_en and ctype.name_en in listing
    assert f">{ctype.name}<" not in listing
    detail = _page(client, admin, f"/staff/certificates/{certificate.pk}/")
    assert ctype.name_en in detail
    assert certificate.issuer.name_en in detail
    assert certificate.issuer.name not in detail


def test_workbench_and_counter_name_departments_and_materials_in_english(client, english, demo):
    from services.models import Application

    queue = _page(client, "reviewer@demo.onewindow", "/staff/workbench/")
    case = Application.objects.get(pk=_linked_ids(queue, "/staff/workbench/cases/")[0])
    department = case.service.department
    page = _page(client, "reviewer@demo.onewindow", f"/staff/workbench/cases/{case.pk}/")
    assert department.name_en in page
    assert department.name not in page
    counter = _page(client, "clerk@demo.onewindow", "/staff/counter/")
    intake = Application.objects.get(pk=_linked_ids(counter, "/staff/counter/")[0])
    assert intake.service.department.name_en in counter
    page = _page(client, "clerk@demo.onewindow", f"/staff/counter/{intake.pk}/")
    assert intake.service.department.name_en in page
    assert intake.service.department.name not in page
    named = [m for m in intake.service.materials.all() if m.display_name != m.name]
    assert all(m.display_name in page for m in named)


def _linked_ids(html: str, prefix: str) -> list[int]:
    return [int(pk) for pk in re.findall(rf'href="{re.escape(prefix)}(\d+)/"', html)]

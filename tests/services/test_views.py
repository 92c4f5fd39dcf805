"""Public catalogue pages: browsing, the guide, the form, bundles, search; constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.models import ApplicantKind
from tests.factories import ServiceHallFactory
from tests.services.factories import (
    BundleFactory,
    BundleMemberFactory,
    MaterialFactory,
    ReviewStepFactory,
    ServiceFactory,
    field,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def many_services():
    hall = ServiceHallFactory()
    made = []
    for n in range(26):
        service = ServiceFactory(
            name=f"社会保险事项{n:02d}",
            applicant_kind=ApplicantKind.ORGANISATION if n % 5 == 0 else ApplicantKind.PERSON,
        )
        service.halls.add(hall)
        MaterialFactory(service=service)
        made.append(service)
    return made


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services/", {}),
        ("/services/", {"for": "person"}),
        ("/search/", {"q": "shbx"}),
        ("/bundles/", {}),
    ],
)
def test_list_pages_take_the_same_number_of_queries_for_5_or_20_rows(
    client, many_services, path, params, django_assert_num_queries
):
    BundleFactory.create_batch(25)
    counts = []
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, {**params, "page_size": size})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_num_queries(counts[0]):
        client.get(path, {**params, "page_size": 5, "page": 3})


def test_the_catalogue_filters_by_applicant_department_and_category(client, many_services):
    response = client.get("/services/", {"for": "organisation"})
    assert response.context["page"].paginator.count == 6
    one = many_services[3]
    response = client.get("/services/", {"department": one.department_id})
    assert [s.code for s in response.context["page"].object_list] == [one.code]
    response = client.get("/services/", {"category": one.category.code})
    assert [s.code for s in response.context["page"].object_list] == [one.code]
    assert client.get("/services/", {"department": "x" * 300, "page": "abc"}).status_code == 200


def test_the_guide_shows_materials_steps_halls_and_disabled_buttons(client):
    service = ServiceFactory(
        name="食品经营许可证核发",
        fee="",
        conditions="从事餐饮服务",
        form_definition={"fields": [field("company_name")]},
    )
    service.halls.add(ServiceHallFactory(name="天河区政务服务中心"))
    MaterialFactory(service=service, name="营业执照", certificate_type="11100000MB1962693N001")
    MaterialFactory(
        service=service, name="授权委托书", requirement="conditional", condition="委托他人办理的"
    )
    ReviewStepFactory(service=service, name="审核", order=1)
    ReviewStepFactory(service=service, name="审批", order=2, role="department_admin")
    response = client.get(reverse("services:service_detail", args=[service.code]))
    body = response.content.decode()
    for text in [
        "食品经营许可证核发",
        "营业执照",
        "Only if: 委托他人办理的",
        "审核",
        "审批",
        "天河区政务服务中心",
        "从事餐饮服务",
        "Free",
    ]:
        assert text in body, text
    assert f'href="{reverse("services:apply", args=[service.code])}">Apply online' in body
    book = reverse("services:book_start", args=["service", service.code])
    assert f'href="{book}">Book a visit' in body


def test_the_guide_of_an_unknown_or_unpublished_service_is_404(client):
    assert client.get("/services/NOPE-0000/").status_code == 404
    hidden = ServiceFactory(is_published=False)
    assert client.get(f"/services/{hidden.code}/").status_code == 404


def test_the_form_page_checks_answers_with_per_field_messages(client):
    service = ServiceFactory(
        form_definition={"fields": [field("applicant_phone", "phone"), field("born", "date")]}
    )
    url = reverse("services:service_form", args=[service.code])
    page = client.get(url).content.decode()
    assert 'for="id_applicant_phone"' in page and 'type="date"' in page
    response = client.post(url, {"applicant_phone": "12", "born": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "applicant_phone": ["Enter an 11-digit mainland mobile number, e.g. 13800138000."],
        "born": ["This field is required."],
    }
    response = client.post(url, {"applicant_phone": "13800138000", "born": "2020-01-01"})
    assert response.status_code == 200 and response.context["checked"]


def test_the_bundle_page_shows_members_and_one_material_list(client):
    a = ServiceFactory(
        name="出生医学证明首次签发", form_definition={"fields": [field("child_name")]}
    )
    b = ServiceFactory(name="出生登记", form_definition={"fields": [field("child_name")]})
    MaterialFactory(service=a, key="birth-cert", name="出生医学证明")
    MaterialFactory(service=b, key="birth-cert", name="出生医学证明")
    bundle = BundleFactory(slug="newborn", name="新生儿出生一件事")
    BundleMemberFactory(bundle=bundle, service=a)
    BundleMemberFactory(bundle=bundle, service=b, required=False, condition="需要落户的")
    body = client.get("/bundles/newborn/").content.decode()
    assert body.count("出生医学证明</th>") == 1
    assert "出生登记" in body and "需要落户的" in body and "2 services" in body


def test_search_page_handles_bad_input_without_error(client, many_services):
    for query in ["", "   ", "？？！！", "😀", "ｓｈｂｘ", "社保 😀 ！"]:
        assert client.get("/search/", {"q": query}).status_code == 200, query
    assert client.get("/search/", {"q": "社" * 101}).status_code == 400
    assert client.get("/search/", {"q": "\x00"}).status_code == 400  # nobody types a NUL
    response = client.get("/search/", {"q": "ｓｈｂｘ"})
    assert response.context["page"].paginator.count == 26


def test_a_blank_form_and_a_sample_are_served_from_the_guide(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    service = ServiceFactory()
    MaterialFactory(
        service=service,
        key="application",
        blank_form=SimpleUploadedFile("blank.pdf", b"%PDF-1.4 blank"),
    )
    body = client.get(f"/services/{service.code}/").content.decode()
    url = f"/services/{service.code}/materials/application/blank-form/"
    assert url in body and "/sample/" not in body
    assert b"".join(client.get(url).streaming_content) == b"%PDF-1.4 blank"
    api = client.get(f"/api/v1/services/{service.code}/").json()
    assert api["materials"][0]["blank_form"] == f"http://testserver{url}"
    assert api["materials"][0]["sample"] is None
    assert client.get(url.replace("blank-form", "sample")).status_code == 404
    assert client.get(url.replace("blank-form", "other")).status_code == 404

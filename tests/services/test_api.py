"""The catalogue API: lists with filters and search, details, bundles, errors, the schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


@pytest.fixture
def catalogue():
    services = [ServiceFactory(name=f"营业执照事项{n:02d}") for n in range(25)]
    for service in services:
        MaterialFactory(service=service)
    return services


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/services/", {}),
        ("/api/v1/services/", {"q": "yyzz"}),
        ("/api/v1/services/", {"q": "营业执照", "for": "person"}),
        ("/api/v1/bundles/", {}),
    ],
)
def test_api_lists_take_the_same_number_of_queries_for_5_or_20_rows(
    client, catalogue, path, params
):
    BundleFactory.create_batch(25)
    counts = []
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(path, {**params, "page_size": size}).json()
        assert len(body["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 2


def test_the_list_searches_and_filters(client, catalogue):
    one = catalogue[7]
    body = client.get("/api/v1/services/", {"q": one.code}).json()
    assert [s["code"] for s in body["results"]] == [one.code]
    body = client.get("/api/v1/services/", {"department": one.department.code}).json()
    assert body["count"] == 1 and body["results"][0]["department"]["code"] == one.department.code
    body = client.get("/api/v1/services/", {"category": one.category.code}).json()
    assert body["count"] == 1
    assert client.get("/api/v1/services/", {"for": "organisation"}).json()["count"] == 0


@pytest.mark.parametrize("query", ["", "   ", "!!!", "😀😀", "ｙｙｚｚ", "营业执照 😀"])
def test_odd_queries_are_answered_not_crashed(client, catalogue, query):
    response = client.get("/api/v1/services/", {"q": query})
    assert response.status_code == 200


def test_a_nul_in_the_query_is_a_400(client, catalogue):
    response = client.get("/api/v1/services/", {"q": "\x00"})
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_a_query_too_long_is_a_400_in_the_error_shape(client, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.get("/api/v1/services/", {"q": "x" * 101}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "too_long" and list(body["fields"]) == ["q"]


def test_bad_filters_are_400(client):
    response = client.get("/api/v1/services/", {"for": "aliens"})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["for"]
    assert client.get("/api/v1/bundles/", {"event": "x"}).status_code == 400


def test_service_detail_has_materials_steps_halls_and_the_form(client, django_assert_num_queries):
    service = ServiceFactory(form_definition={"fields": [field("applicant_phone", "phone")]})
    service.halls.add(ServiceHallFactory())
    MaterialFactory(service=service, key="id-card", certificate_type="11100000000013338W001")
    ReviewStepFactory(service=service)
    with django_assert_num_queries(4):
        body = client.get(f"/api/v1/services/{service.code}/").json()
    assert body["materials"][0]["key"] == "id-card"
    assert body["materials"][0]["certificate_type"] == "11100000000013338W001"
    assert body["materials"][0]["file_types"] == ["pdf", "jpg", "png"]
    assert body["review_steps"][0]["name"] == "审核"
    assert body["form_definition"]["fields"][0]["type"] == "phone"
    assert len(body["halls"]) == 1
    response = client.get("/api/v1/services/NOPE-1/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_bundle_detail_has_the_merged_form_and_materials(client):
    a = ServiceFactory(code="A-0001", form_definition={"fields": [field("child_name")]})
    b = ServiceFactory(
        code="A-0002", form_definition={"fields": [field("child_name"), field("phone", "phone")]}
    )
    MaterialFactory(service=a, key="birth-cert")
    MaterialFactory(service=b, key="birth-cert")
    bundle = BundleFactory(slug="newborn")
    BundleMemberFactory(bundle=bundle, service=a)
    BundleMemberFactory(bundle=bundle, service=b, required=False, condition="如需")
    body = client.get("/api/v1/bundles/newborn/").json()
    assert [f["key"] for f in body["form_definition"]["fields"]] == ["child_name", "phone"]
    assert [m["key"] for m in body["materials"]] == ["birth-cert"]
    assert body["materials"][0]["service_codes"] == ["A-0001", "A-0002"]
    assert body["members"][1] == {
        "code": "A-0002",
        "name": b.name,
        "name_en": "",
        "department": b.department.code,
        "required": False,
        "condition": "如需",
    }


def test_the_openapi_schema_documents_the_catalogue(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in [
        "/api/v1/services/",
        "/api/v1/services/{code}/",
        "/api/v1/bundles/",
        "/api/v1/bundles/{slug}/",
    ]:
        assert path in schema["paths"], path
    parameters = {p["name"] for p in schema["paths"]["/api/v1/services/"]["get"]["parameters"]}
    assert {"q", "for", "department", "category", "page", "page_size"} <= parameters

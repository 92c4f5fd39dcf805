"""The account API: one error shape, translated messages, never a 500 for bad input."""

import pytest
from rest_framework.test import APIClient

from portal.models import PersonProfile
from tests.factories import PersonFactory, UserFactory, make_id_number, make_uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def test_me_shows_personal_data_masked(api):
    person = PersonFactory()
    api.force_authenticate(person.user)
    body = api.get("/api/v1/me/").json()
    assert body["phone"] == person.user.masked_phone
    assert body["person"]["id_number_masked"] == person.id_number_masked
    assert person.reveal_id_number() not in str(body)


def test_anonymous_requests_get_the_error_shape():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"
    assert response.json()["detail"]


def test_declaring_a_real_name_through_the_api(api):
    number = make_id_number()
    response = api.post(
        "/api/v1/me/realname/", {"legal_name": "李四", "id_number": number}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["id_number_masked"].endswith(number[-4:])
    assert number not in response.content.decode()


def test_a_wrong_check_character_is_a_400_with_its_own_code(api):
    number = make_id_number()
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    response = api.post(
        "/api/v1/me/realname/", {"legal_name": "李四", "id_number": wrong}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "id_number_checksum"
    assert body["fields"]["id_number"] == [body["detail"]]


def test_errors_are_translated_to_the_requested_language(api):
    response = api.post(
        "/api/v1/me/realname/",
        {"legal_name": "李四", "id_number": "123"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "18 characters" in response.json()["detail"]
    response = api.post(
        "/api/v1/me/realname/",
        {"legal_name": "李四", "id_number": "123"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "18" in response.json()["detail"] and "characters" not in response.json()["detail"]


def test_a_duplicate_id_number_is_refused_without_saying_whose(api):
    owner = PersonFactory(legal_name="王五")
    response = api.post(
        "/api/v1/me/realname/",
        {"legal_name": "冒名", "id_number": owner.reveal_id_number()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_id_number"
    assert "王" not in response.content.decode()
    assert PersonProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "content_type", "status"),
    [
        ('{"legal_name": "李四", "id_number": '.encode(), "application/json", 400),
        (b"legal_name=x", "text/plain", 415),
        (b'{"legal_name": "\\u0000", "id_number": "1"}', "application/json", 400),
        (b'["not", "an", "object"]', "application/json", 400),
    ],
)
def test_malformed_requests_are_client_errors_with_a_message(api, payload, content_type, status):
    response = api.generic("POST", "/api/v1/me/realname/", payload, content_type=content_type)
    assert response.status_code == status
    assert response.json()["code"] and response.json()["detail"]


def test_over_long_text_is_refused(api):
    response = api.post(
        "/api/v1/organisations/", {"uscc": make_uscc(), "name": "公" * 201}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_organisations_register_and_list(api):
    code = make_uscc()
    response = api.post(
        "/api/v1/organisations/", {"uscc": code.lower(), "name": "示例公司"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["uscc"] == code
    assert [o["uscc"] for o in api.get("/api/v1/organisations/").json()] == [code]
    again = api.post("/api/v1/organisations/", {"uscc": code, "name": "示例公司"}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate_uscc"


def test_a_bad_uscc_is_explained(api):
    response = api.post(
        "/api/v1/organisations/", {"uscc": "91440101MA5ABCDE", "name": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "uscc_length"


def test_unknown_api_paths_answer_json(settings, api):
    settings.DEBUG = False
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_throttling_answers_429_with_a_retry_hint(monkeypatch, api):
    from rest_framework.throttling import UserRateThrottle

    # The class reads its rates once at import; patch them for this test only.
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    statuses = [api.get("/api/v1/me/").status_code for _ in range(2)]
    response = api.get("/api/v1/me/")
    assert statuses == [200, 200]
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and response.json()["retry_after"] > 0


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/me/realname/" in schema["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()

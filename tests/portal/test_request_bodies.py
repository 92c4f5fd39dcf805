"""Hostile request bodies: nested too deeply, over the size limit, with too many fields.

Every answer is a 4xx in the API's error shape (or an HTML page off the API), never a 500.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.views import APIView

from certificates import issuing
from portal.api.parsers import MAX_DEPTH
from portal.models import StaffAssignment, StaffRole
from tests.certificates.conftest import make_type
from tests.factories import DepartmentFactory, PersonFactory, make_staff

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000
VERIFY = "/api/v1/certificates/verify/"
REALNAME = "/api/v1/me/realname/"


def _routes(patterns=None, prefix=""):
    """(route, view) of every URL pattern, included ones too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _takes_post(view):
    """Whether a DRF view (function or class) answers POST; plain Django views answer 405."""
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    return isinstance(cls, type) and issubclass(cls, APIView) and hasattr(cls, "post")


def _api_routes():
    return [(route, view) for route, view in _routes() if route.startswith("api/v1/")]


POST_ROUTES = sorted(route for route, view in _api_routes() if _takes_post(view))
OTHER_ROUTES = sorted(route for route, view in _api_routes() if not _takes_post(view))


def test_the_post_operations_are_found():
    """A guard for the enumeration below: these must be among them, and more are covered."""
    assert {
        "api/v1/certificates/issue/",
        "api/v1/certificates/<int:pk>/cancel/",
        "api/v1/certificates/<int:pk>/revoke/",
        "api/v1/certificates/<int:pk>/renew/",
        "api/v1/certificates/verify/",
        "api/v1/me/realname/",
        "api/v1/organisations/",
    } <= set(POST_ROUTES)


@pytest.fixture
def issuer_admin(client):
    """Signed in as a department administrator who may reach every operation's body."""
    issuer = DepartmentFactory()
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    StaffAssignment.objects.filter(user=user).update(department=issuer)
    person = PersonFactory()
    certificate = issuing.issue(
        type=make_type(issuer),
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={},
        by=None,
    )
    client.force_login(user)
    return certificate


def _url(route, certificate):
    route = re.sub(r"<int:\w+>", str(certificate.pk), route)
    return "/" + re.sub(r"<(?:str|slug|path):\w+>", "x", route)


@pytest.mark.parametrize("route", POST_ROUTES)
def test_a_deeply_nested_body_is_a_400_on_every_post_operation(client, issuer_admin, route):
    response = client.post(
        _url(route, issuer_admin),
        DEEP,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json() == {
        "code": "too_deep",
        "detail": f"The request body is nested too deeply: at most {MAX_DEPTH} levels.",
    }


@pytest.mark.parametrize("route", OTHER_ROUTES)
def test_a_deeply_nested_body_to_an_operation_without_post_is_a_405(client, issuer_admin, route):
    response = client.post(_url(route, issuer_admin), DEEP, content_type="application/json")
    assert response.status_code == 405
    assert set(response.json()) == {"code", "detail"}


def test_a_deeply_nested_body_is_refused_anonymously(client):
    response = client.post(VERIFY, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_deep"


def test_nesting_within_the_limit_is_parsed(client):
    """Just at the limit the body reaches the serializer, which says what is wrong with it."""
    shallow = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # and the object around it
    response = client.post(VERIFY, f'{{"document": {shallow}}}', content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["document"]
    brackets_in_text = '{"document": "' + "[" * 5000 + '"}'
    response = client.post(VERIFY, brackets_in_text, content_type="application/json")
    assert response.status_code == 200 and response.json()["genuine"] is False


def test_one_level_too_deep_is_refused(client):
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH  # and the object around it
    response = client.post(VERIFY, f'{{"document": {deep}}}', content_type="application/json")
    assert response.json()["code"] == "too_deep"


# --- over the size limit ----------------------------------------------------------------------


def _oversized(settings, text):
    return text * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // len(text) + 1)


def test_a_json_body_over_the_size_limit_is_a_413_in_the_error_shape(client, settings):
    body = '{"document": "' + _oversized(settings, "a") + '"}'
    response = client.post(VERIFY, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {
        "code": "request_too_large",
        "detail": "The request body is too large: at most 2.5\xa0MB.",
    }


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_form_body_over_the_size_limit_is_a_413_in_the_error_shape(
    client, settings, content_type
):
    client.force_login(PersonFactory().user)
    if content_type == "multipart/form-data":
        response = client.post(REALNAME, {"legal_name": _oversized(settings, "李")})
    else:
        body = "legal_name=" + _oversized(settings, "a")
        response = client.post(REALNAME, body, content_type=content_type)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_form_with_too_many_fields_is_a_400_in_the_error_shape(client, settings):
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(
        VERIFY, body, content_type="application/x-www-form-urlencoded", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "too_many_fields",
        "detail": "The request body has too many fields or files.",
    }


@pytest.mark.parametrize("csrf_checked", [False, True])
def test_a_page_form_over_the_size_limit_is_a_413_page(settings, english, csrf_checked):
    """Checked, the CSRF middleware reads the body first, before the view: the same page."""
    client = Client(enforce_csrf_checks=csrf_checked)
    client.get("/accounts/login/")  # the CSRF cookie
    body = "login=" + _oversized(settings, "a")
    response = client.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "What you sent is too large (at most 2.5\xa0MB)." in response.content.decode()


def test_any_other_bad_request_on_the_api_is_in_the_error_shape(client, english):
    response = client.get("/api/v1/services/", HTTP_HOST="unknown.example")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request", "detail": "Bad request."}


def test_a_signed_document_nesting_deeply_inside_is_refused_as_not_genuine(client):
    """The JSON inside a JWS is parsed by certificates.signing, not by the request parser."""
    import base64

    def part(text):
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    deep = part("[" * 2900 + "]" * 2900)  # the token is at most 16384 characters
    response = client.post(
        VERIFY, {"document": f"{deep}.{deep}.c2ln"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["genuine"] is False

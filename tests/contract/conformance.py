"""Every response an API test receives is checked against the OpenAPI document.

An autouse fixture (imported by tests/conftest.py) wraps Django's test client, which
DRF's APIClient extends, so every API call of every test is checked: a status the document
does not list, a body that does not match its schema or an /api/v1/ path it does not have
fails the test that received it. Drift between the views and their contract fails CI.

Not checked: 5xx answers (never an intended answer), HEAD and OPTIONS, streamed bodies,
requests under a test's own URLconf, and 405 for a method a path does not take (OpenAPI
has no place for an undeclared method's answer).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

DOCUMENTED_OUTSIDE_API = ("/certificates/keys.json", "/.well-known/certificate-verification")


@functools.cache
def _request_class() -> Any:
    from openapi_core.contrib.django import DjangoOpenAPIRequest

    class ResponseOnlyRequest(DjangoOpenAPIRequest):
        """Only responses are checked (tests send bad requests on purpose); a body already
        read as a stream cannot be read again."""

        @property
        def body(self) -> bytes:
            return b""

        @property
        def host_url(self) -> str:  # the document has no servers; tests send odd hosts
            return "http://testserver"

    return ResponseOnlyRequest


# Worker tests answer many requests at once from threads: the schema generator and the
# validator's reference resolver are not thread-safe, so both run under one lock.
_LOCK = threading.RLock()


def openapi() -> Any:
    with _LOCK:
        return _openapi()


@functools.cache
def _openapi() -> Any:
    from drf_spectacular.generators import SchemaGenerator
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def nonconformance(response: HttpResponse) -> str | None:
    """Why the response breaks the document, or None if it keeps it (or is not checked)."""
    from openapi_core.contrib.django import DjangoOpenAPIResponse
    from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

    request = getattr(response, "wsgi_request", None)
    if request is None or getattr(response, "streaming", False):
        return None
    path = request.path
    if not (path.startswith("/api/v1/") or path in DOCUMENTED_OUTSIDE_API):
        return None
    if request.method in ("HEAD", "OPTIONS") or response.status_code >= 500:
        return None
    if getattr(request, "urlconf", None) or settings.ROOT_URLCONF != "portal.urls":
        return None
    try:
        with _LOCK:
            openapi().validate_response(_request_class()(request), DjangoOpenAPIResponse(response))
    except OperationNotFound:
        if response.status_code == 405:
            return None
        return f"{request.method} {path} is not in the OpenAPI document"
    except PathNotFound:
        if response.status_code == 404:  # no such path: the API's 404, checked for its shape
            body = response.content
            return None if b'"code"' in body else f"{path}: a 404 without the error shape"
        return f"{path} is not in the OpenAPI document"
    except Exception as exc:  # every validation error of openapi-core
        causes = []
        cause: BaseException | None = exc
        while cause is not None:
            causes.append(f"{type(cause).__name__}: {cause}")
            nested = getattr(cause, "schema_errors", None)
            if nested:
                causes.extend(f"at {getattr(e, 'json_path', '?')}: {e.message}" for e in nested)
            cause = cause.__cause__
        return (
            f"{request.method} {path} answered {response.status_code} off its contract:\n  "
            + "\n  ".join(causes)
            + f"\n  body: {response.content[:500]!r}"
        )
    return None


@pytest.fixture(autouse=True)
def _responses_conform_to_the_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    original = Client.request

    def checked(self: Client, **request: Any) -> Any:
        response = original(self, **request)
        problem = nonconformance(response)
        if problem:
            pytest.fail(problem, pytrace=False)
        return response

    monkeypatch.setattr(Client, "request", checked)
    yield

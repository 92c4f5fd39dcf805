"""One error shape for the whole API: {"code": ..., "detail": ..., "fields": {...}}."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.api.parsers import NestedTooDeeply, NulInBody
from portal.errors import Refusal


def _first(detail: Any) -> Any:
    """The first message of an error tree, depth-first; None if the tree holds none.

    Empty dicts (items that passed, in DRF's older list format of per-item errors) are skipped.
    """
    if isinstance(detail, dict):
        children: Any = detail.values()
    elif isinstance(detail, list):
        children = detail
    else:
        return detail
    for child in children:
        found = _first(child)
        if found is not None:
            return found
    return None


def _code(message: Any) -> str:
    return getattr(message, "code", None) or "invalid"


def _first_code(detail: Any) -> str:
    return _code(_first(detail))


def _fields(detail: Any) -> Any:
    """DRF's error tree as plain JSON, keeping its nesting.

    A field maps to a list of messages; a nested serializer or a dict field to a dict of its
    own; a list field or a list serializer (many=True) to a dict keyed by the position of each
    failing item ("1": {...}), items that passed omitted. In DRF's older list format
    (LIST_SERIALIZER_ERRORS_AS_DICT = False) a list serializer gives a list with one dict per
    item, {} for those that passed, and that is kept as it is.
    """
    if isinstance(detail, dict):
        return {
            str(key): _fields(value) if isinstance(value, dict | list) else [str(value)]
            for key, value in detail.items()
        }
    if isinstance(detail, list):
        return [_fields(item) if isinstance(item, dict | list) else str(item) for item in detail]
    return str(detail)


def _validation_body(detail: Any) -> dict[str, Any]:
    """A 400 for invalid input: one plain message as `detail`, the whole tree as `fields`.

    A message about the input as a whole (non_field_errors, or a plain list of messages) comes
    first and is not a field; otherwise the first field message, depth-first.
    """
    fields: Any = None
    first: Any = None
    if isinstance(detail, dict):
        non_field_key = api_settings.NON_FIELD_ERRORS_KEY
        first = _first(detail.get(non_field_key))
        fields = _fields({k: v for k, v in detail.items() if k != non_field_key})
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        # A list serializer's per-item errors in DRF's older list format
        # (REST_FRAMEWORK["LIST_SERIALIZER_ERRORS_AS_DICT"] = False).
        fields = _fields(detail)
    if first is None:
        first = _first(detail)
    body: dict[str, Any] = {
        "code": _code(first),
        "detail": str(first) if first is not None else _("Invalid input."),
    }
    if fields:
        body["fields"] = fields
    return body


def _from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(m, code=e.code or "invalid")
                    for e in errors
                    for m in e.messages
                ]
                for field, errors in exc.error_dict.items()
            }
        )
    return exceptions.ValidationError(
        [
            exceptions.ErrorDetail(m, code=e.code or "invalid")
            for e in exc.error_list
            for m in e.messages
        ]
    )


def _parse_error(context: dict[str, Any]) -> exceptions.ParseError:
    """Our own message for a body that cannot be read: the parsers' text is untranslated
    English and quotes the parser ("JSON parse error - Expecting value: line 1 ...").

    Every ParseError is answered this way; a view with something specific to say about its
    input raises a ValidationError instead.
    """
    request = context.get("request")
    media_type = str(getattr(request, "content_type", "") or "").split(";")[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return exceptions.ParseError(_("The request body is not valid JSON."), code="parse_error")
    return exceptions.ParseError()  # DRF's "Malformed request.", which DRF translates.


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def upload_limit() -> str:
    """The body size Django accepts (DATA_UPLOAD_MAX_MEMORY_SIZE), such as "2.5 MB"."""
    return filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def request_too_large_message() -> str:
    return _("The request body is too large: at most %(size)s.") % {"size": upload_limit()}


def _too_much(exc: Exception) -> exceptions.APIException:
    """Django's refusals of a body over its limits (DATA_UPLOAD_*), which are no API errors
    and would otherwise end on the HTML error page."""
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(request_too_large_message())
    return exceptions.ParseError(
        _("The request body has too many fields or files."), code="too_many_fields"
    )


class RefusedByDomain(exceptions.APIException):
    """A ``portal.errors.Refusal`` as DRF knows exceptions: its status, code and message."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message, code=refusal.code)
        self.status_code = refusal.status
        self.fields = refusal.fields


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Refusal):
        exc = RefusedByDomain(exc)
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    elif isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        exc = _too_much(exc)
    elif isinstance(exc, exceptions.ParseError) and not isinstance(
        exc, NestedTooDeeply | NulInBody
    ):
        exc = _parse_error(context)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body: dict[str, Any]
    if isinstance(exc, exceptions.ValidationError):
        body = _validation_body(detail)
    else:
        body = {
            "code": _first_code(detail),
            "detail": str(
                detail
                if not isinstance(detail, dict)
                else detail.get("detail", _("Request failed."))
            ),
        }
    if isinstance(exc, RefusedByDomain) and exc.fields:
        body["fields"] = _fields(exc.fields)
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait:
        body["retry_after"] = int(wait)
    response.data = body
    return response


def json_error(
    request: HttpRequest, code: str, detail: str, status_code: int, **extra: Any
) -> JsonResponse:
    """The error shape, for the few API views that are plain Django rather than DRF."""
    return JsonResponse(
        {"code": code, "detail": detail, **extra},
        status=status_code,
        json_dumps_params={"ensure_ascii": False},
    )


def api_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Django's 400 (handler400) under /api/: a refused body outside a DRF view, a bad Host."""
    if isinstance(exception, RequestDataTooBig):
        return json_error(
            request, "request_too_large", request_too_large_message(), RequestTooLarge.status_code
        )
    return json_error(request, "bad_request", _("Bad request."), status.HTTP_400_BAD_REQUEST)


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, "not_found", _("Not found."), status.HTTP_404_NOT_FOUND)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return json_error(request, "server_error", _("Something went wrong on our side."), 500)

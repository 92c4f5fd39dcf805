"""One error shape for the whole API: {"code": ..., "detail": ..., "fields": {...}}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_code(detail: Any) -> str:
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    if isinstance(detail, dict) and detail:
        return _first_code(next(iter(detail.values())))
    return getattr(detail, "code", None) or "invalid"


def _messages(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {k: _messages(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [str(d) for d in detail]
    return [str(detail)]


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    body: dict[str, Any] = {"code": _first_code(detail)}
    if isinstance(exc, exceptions.ValidationError):
        fields = dict(_messages(detail)) if isinstance(detail, dict) else {}
        non_field = fields.pop("non_field_errors", None) or (
            _messages(detail) if not isinstance(detail, dict) else None
        )
        first = non_field or next(iter(fields.values()), [_("Invalid input.")])
        body["detail"] = first[0] if isinstance(first, list) else str(first)
        if fields:
            body["fields"] = fields
    else:
        body["detail"] = str(
            detail if not isinstance(detail, dict) else detail.get("detail", _("Request failed."))
        )
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


def api_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, "not_found", _("Not found."), status.HTTP_404_NOT_FOUND)


def api_server_error(request: HttpRequest) -> JsonResponse:
    return json_error(request, "server_error", _("Something went wrong on our side."), 500)

"""The certificate API: public verification, the holder's certificates, and issuing for
department administrators. Views validate, call one domain function, and render."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from csp.decorators import csp_exempt
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    renderer_classes,
)
from rest_framework.exceptions import (
    MethodNotAllowed,
    PermissionDenied,
    Throttled,
)
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from certificates import identifiers, issuing, selectors, sharing, verification
from certificates.api import serializers as s
from certificates.api.authentication import IsIssuingSystem, IssuingSystemAuthentication
from certificates.models import Certificate, IssuingSystem
from portal import roles
from portal.api.errors import json_error
from portal.api.pagination import PageNumberPagination
from portal.api.permissions import ViaSession
from portal.api.throttles import AddressRateThrottle
from portal.auth import signed_in_user
from portal.middleware import session_has_mfa


def _public(view: Any) -> Any:
    """Anyone may verify: no authentication is attempted (every caller is anonymous, and so
    throttled as anonymous) and the answer is JSON only. Both spare the hottest public path
    work it does not need: the browsable-API renderer alone cost ~0.15 ms a request."""
    view = permission_classes([permissions.AllowAny])(view)
    view = renderer_classes([JSONRenderer])(view)
    return authentication_classes([])(view)


@extend_schema(
    responses=s.VerificationSerializer,
    summary="Verify a shared certificate link (the token of /verify/<token>/)",
    description=(
        "Opens a link a holder shared (the token in /verify/<token>/) and answers what anyone "
        "may learn: genuine or not, the live status, the masked holder, issuer and validity. "
        "An unknown, expired or withdrawn link is a 200 whose `outcome` says so. The status is "
        "read live (Cache-Control: no-store); each opening is recorded for the holder."
    ),
)
@api_view(["GET"])
@_public
def verify_token(request: Request, token: str) -> Response:
    result = sharing.open_token(token, record=request.method != "HEAD")
    response = Response(s.verification(result))
    response["Cache-Control"] = "no-store"
    return response


ALLOWED = "GET, HEAD, OPTIONS"


@csrf_exempt  # no state changes: any other method gets the API's 405
@csp_exempt()  # type: ignore[arg-type]
def verify_identifier(request: HttpRequest, identifier: str) -> HttpResponse:
    """Verify a certificate by its identifier: the answer of VerificationSerializer.

    The hottest public path, so plain Django rather than a DRF view (DRF's request wrapping,
    negotiation and rendering cost ~0.12 ms of ~1 ms); the anonymous rate per address, whoever
    is signed in, and the API's error shape; the OpenAPI entry is certificates/api/schema.py.
    A JSON answer carries no content-security policy (nothing in it runs or renders).
    """
    if request.method == "OPTIONS":
        return HttpResponse(headers={"Allow": ALLOWED})
    if request.method not in ("GET", "HEAD"):
        refused = MethodNotAllowed(request.method or "")
        response = json_error(
            request, "method_not_allowed", str(refused.detail), refused.status_code
        )
        response["Allow"] = ALLOWED
        return response
    throttle = AddressRateThrottle()
    if not throttle.allow_request(request, None):  # type: ignore[arg-type]
        wait = math.ceil(throttle.wait() or 0)
        throttled = Throttled(wait)
        response = json_error(
            request, "throttled", str(throttled.detail), throttled.status_code, retry_after=wait
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        result = verification.verify_identifier(identifier)
    except identifiers.InvalidIdentifier as exc:
        return json_error(request, exc.code or "invalid", exc.messages[0], 400)
    response = JsonResponse(s.verification(result), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@extend_schema(
    request=s.DocumentSerializer,
    responses=s.VerificationSerializer,
    summary="Verify a signed certificate document (compact JWS)",
    description=(
        "Checks the signature of a certificate document (the compact JWS a holder downloads) "
        "under its issuer's published key, and reads the certificate's live status. A forged, "
        "unknown or malformed document is a 200 whose `outcome` says so, not an error. The "
        "same check can be done offline with the keys of /certificates/keys.json. Changes "
        "nothing: safe to repeat."
    ),
    examples=[
        OpenApiExample(
            "A certificate document",
            value={"document": "eyJhbGciOiJFZERTQSIsImtpZCI6Ii4uLiJ9.eyIuLi4iOiIuLi4ifQ.c2ln"},
            request_only=True,
        )
    ],
)
@api_view(["POST"])
@_public
def verify_document(request: Request) -> Response:
    serializer = s.DocumentSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    result = verification.verify_document(serializer.validated_data["document"])
    return Response(s.verification(result), headers={"Cache-Control": "no-store"})


class Wallet(generics.ListAPIView):
    """The signed-in person's own certificates (his wallet), newest first, holder codes
    masked, a page at a time. Only through the browser session: a token is not enough to
    read personal documents."""

    permission_classes = [ViaSession]
    pagination_class = PageNumberPagination
    serializer_class = s.CertificateSerializer

    @extend_schema(summary="My certificates")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Certificate]:
        return selectors.wallet(signed_in_user(self.request)).select_related("previous")


wallet = Wallet.as_view()


class SecondFactor(permissions.BasePermission):
    """A browser session that signed in with its second factor, as /staff/certificates/ asks:
    a password alone signs nothing in a department's name."""

    def has_permission(self, request: Request, view: Any) -> bool:
        request.data  # noqa: B018  (a body that cannot be read is refused first, with a 400)
        if (
            settings.STAFF_MFA_REQUIRED
            and roles.is_staff_member(signed_in_user(request))
            and not session_has_mfa(request._request)
        ):
            raise PermissionDenied(
                _("Sign in with your second factor to issue or change certificates."),
                code="second_factor_required",
            )
        return True


def _issuers(view: Any) -> Any:
    """For a department administrator's session (with its second factor) or a department
    system's client token."""
    view = permission_classes([(ViaSession & SecondFactor) | IsIssuingSystem])(view)
    return authentication_classes([IssuingSystemAuthentication, SessionAuthentication])(view)


def _acting(request: Request) -> tuple[Any, str]:
    """Who acts: the administrator, or None (the department's system) and how."""
    if isinstance(request.auth, IssuingSystem):
        return None, f"client:{request.auth.client_id}"
    return signed_in_user(request), "session"


def _departments(request: Request) -> Any:
    if isinstance(request.auth, IssuingSystem):
        return [request.auth.department_id]
    return selectors.administered_departments(signed_in_user(request)).values("pk")


def _issuers_certificate(request: Request, pk: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("type", "issuer", "previous"),
        pk=pk,
        issuer__in=_departments(request),
    )


@extend_schema(
    request=s.IssueSerializer,
    responses={201: s.CertificateSerializer},
    summary="Issue a certificate (department administrators; idempotent by key)",
    description=(
        "Issues and signs a certificate of `type_code` in the name of `issuer_code`, which must "
        "be the caller's department (a client's token is bound to one department; an "
        "administrator's session to those he administers) and one of the type's issuing "
        "departments. `surface` holds the type's surface fields (see "
        "/api/v1/certificate-types/). **Idempotent by `idempotency_key`:** the same key with "
        "the same request answers the first certificate again (201, nothing new is issued); "
        "the same key with another request is a 409 `idempotency_conflict`."
    ),
    examples=[
        OpenApiExample(
            "A residence permit",
            value={
                "type_code": "11100000MB0000001X",
                "issuer_code": "11440100MB2C999900",
                "holder_name": "张三",
                "holder_code": "110101199003071234",
                "surface": {"address": "广州市天河区天河路1号"},
                "valid_until": "2031-12-31",
                "idempotency_key": "case-2026-000123",
            },
            request_only=True,
        )
    ],
    extensions={
        "x-error-codes": {
            "400": ["not_an_issuer", "validity", "issued_on", "holder_name", "number"],
            "403": ["not_an_issuing_system", "second_factor_required"],
            "409": ["idempotency_conflict"],
        }
    },
)
@api_view(["POST"])
@_issuers
def issue(request: Request) -> Response:
    serializer = s.IssueSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    by, via = _acting(request)
    if isinstance(request.auth, IssuingSystem) and data["issuer"].pk != request.auth.department_id:
        raise PermissionDenied
    with _api_field_names():
        certificate = issuing.issue(
            type=data["type"],
            issuer=data["issuer"],
            holder_name=data["holder_name"],
            holder_code=data["holder_code"],
            surface=data.get("surface", {}),
            number=data["number"],
            issued_on=data.get("issued_on"),
            valid_until=data.get("valid_until"),
            idempotency_key=data["idempotency_key"],
            by=by,
            via=via,
        )
    return Response(s.CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


# The domain names the model's fields; the API's request names them type_code and issuer_code.
_API_NAMES = {"type": "type_code", "issuer": "issuer_code"}


@contextmanager
def _api_field_names() -> Iterator[None]:
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise DjangoValidationError(
            {_API_NAMES.get(name, name): errors for name, errors in exc.error_dict.items()}
        ) from None


def _lifecycle(request: Request, pk: int, action: str) -> Response:
    certificate = _issuers_certificate(request, pk)
    by, via = _acting(request)
    if action == "renew":
        serializer = s.RenewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        result = issuing.renew(
            certificate,
            by=by,
            surface=d.get("surface"),
            valid_until=d.get("valid_until"),
            reason=d["reason"],
            idempotency_key=d["idempotency_key"],
            via=via,
        )
        return Response(s.CertificateSerializer(result).data, status=status.HTTP_201_CREATED)
    reason_serializer = s.ReasonSerializer(data=request.data)
    reason_serializer.is_valid(raise_exception=True)
    reason = reason_serializer.validated_data["reason"]
    if action == "revoke":
        result = issuing.revoke(certificate, by=by, reason=reason, via=via)
    else:
        result = issuing.cancel(certificate, by=by, reason=reason, via=via)
    return Response(s.CertificateSerializer(result).data)


_END = (
    "Needs a `reason`, recorded with the change. Allowed from valid or expired only: another "
    "state is a 409 `illegal_move` (so repeating it answers 409, and changes nothing)."
)
_LIFECYCLE_ERRORS = {"x-error-codes": {"400": ["reason"], "409": ["illegal_move"]}}


@extend_schema(
    request=s.ReasonSerializer,
    responses=s.CertificateSerializer,
    summary="Revoke",
    description=(
        "Revokes a certificate of the caller's department (吊销: withdrawn for cause); "
        "verification then answers `revoked`. " + _END
    ),
    examples=[OpenApiExample("Revoke", value={"reason": "Obtained by fraud"}, request_only=True)],
    extensions=_LIFECYCLE_ERRORS,
)
@api_view(["POST"])
@_issuers
def revoke(request: Request, pk: int) -> Response:
    return _lifecycle(request, pk, "revoke")


@extend_schema(
    request=s.ReasonSerializer,
    responses=s.CertificateSerializer,
    summary="Cancel",
    description=(
        "Cancels a certificate of the caller's department (注销: ended without fault, e.g. "
        "on the holder's request); verification then answers `cancelled`. " + _END
    ),
    examples=[OpenApiExample("Cancel", value={"reason": "Holder's request"}, request_only=True)],
    extensions=_LIFECYCLE_ERRORS,
)
@api_view(["POST"])
@_issuers
def cancel(request: Request, pk: int) -> Response:
    return _lifecycle(request, pk, "cancel")


@extend_schema(
    request=s.RenewSerializer,
    responses={201: s.CertificateSerializer},
    summary="Renew or change",
    description=(
        "Issues the next version of a certificate of the caller's department with new "
        "`surface` fields or a new `valid_until`; the old version becomes superseded and the "
        "new one names it in `previous`. **Idempotent by `idempotency_key`** as issuing is."
    ),
    examples=[
        OpenApiExample(
            "A new address",
            value={
                "reason": "Moved house",
                "surface": {"address": "广州市越秀区中山路2号"},
                "idempotency_key": "case-2026-000456",
            },
            request_only=True,
        )
    ],
    extensions={
        "x-error-codes": {
            "400": ["validity", "number"],
            "409": ["idempotency_conflict", "illegal_move"],
        }
    },
)
@api_view(["POST"])
@_issuers
def renew(request: Request, pk: int) -> Response:
    return _lifecycle(request, pk, "renew")

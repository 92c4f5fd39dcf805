"""The applications API (办件): apply, hand in materials, follow a case, and one endpoint per
move of the lifecycle. Views check the input's shape, call one domain function and render;
the domain's refusals become the API's error shape in portal.api.errors.

Who sees what is the selectors' rule: a case one may not see is a 404, a move one may not make
on a case one sees is a 403. Reading or acting on someone else's case (staff work) needs a
session signed in with a second factor, like the staff pages; such reads are audited.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, permissions, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal import audit, identity, roles
from portal.api.pagination import PageNumberPagination
from portal.api.permissions import ViaSession
from portal.auth import signed_in_user
from portal.errors import Invalid
from portal.middleware import session_has_mfa
from portal.models import AuditAction, User
from services import application_display as display
from services import application_selectors as selectors
from services import deadlines, drafts, materials, workflow
from services import permissions as case_permissions
from services.api import application_serializers as s
from services.api.authentication import DepartmentClient, DepartmentSystemAuthentication
from services.models import MaterialRequirement
from services.models.applications import Application, ApplicationStatus

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
STAFF_QUEUES: dict[str, Callable[[User], QuerySet[Application]]] = {
    "intake": selectors.intake_queue,
    "review": selectors.review_queue,
    "department": selectors.department_cases,
}


class PeopleOrDepartmentReads(permissions.BasePermission):
    """People through their session; a department's system only reads."""

    message = _("A department's system may only read applications.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if ViaSession().has_permission(request, view):
            return True
        return request.method in permissions.SAFE_METHODS and isinstance(
            request.auth, DepartmentClient
        )


AUTHENTICATION = [DepartmentSystemAuthentication, SessionAuthentication]
PERMISSIONS = [PeopleOrDepartmentReads]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(s.ERROR, description=description)


ERRORS = {
    400: _error("Invalid input: `fields` names every problem."),
    401: _error("Not signed in, or the access token is invalid or has expired."),
    403: _error("Signed in, but not allowed to do this to a case he can see."),
    404: _error("No such case, or not one the caller may see."),
    409: _error("The case's state does not allow this move (`illegal_move`)."),
}


def error_answers(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


# --- Who is asking, and for which case ------------------------------------------------------


def _second_factor(request: Request) -> None:
    """Staff work through the API needs the second factor the staff pages need."""
    if settings.STAFF_MFA_REQUIRED and not session_has_mfa(request._request):
        raise PermissionDenied(
            _("Sign in with your second factor to work on other people's applications."),
            code="second_factor_required",
        )


def find_case(request: Request, pk: int) -> tuple[Application, bool]:
    """The case if the caller may see it (else 404), and whether it is his own."""
    if isinstance(request.auth, DepartmentClient):
        found = selectors.cases_of_department(request.auth.department_id).filter(pk=pk).first()
        if found is None:
            raise Http404
        return found, False
    user = signed_in_user(request)
    application = selectors.visible_application(user, pk)
    own = case_permissions.is_applicant(user, application)
    if not own:
        _second_factor(request)
    return application, own


def _audit_read(request: Request, application: Application) -> None:
    """A read of someone's answers and materials by staff or a department's system."""
    client = request.auth if isinstance(request.auth, DepartmentClient) else None
    audit.record(
        AuditAction.PERSONAL_DATA_VIEWED,
        actor=None if client else signed_in_user(request),
        subject=application.applicant,
        fields=["answers", "materials"],
        reason="application via API",
        request=request._request,
        application_id=application.pk,
        **({"client_id": client.client_id} if client else {}),
    )


def _detail(
    request: Request,
    application: Application,
    *,
    own: bool,
    opened: workflow.Opened | None = None,
) -> dict[str, Any]:
    if opened is not None and own and not application.is_bundle:
        # Just made by this request: its rows are at hand, none to read back.
        return s.new_application_detail(
            application,
            events=[e for e in opened.events if e.action not in display.STAFF_ONLY_ACTIONS],
            materials=opened.materials,
            remaining=deadlines.remaining([application]),
        )
    if opened is not None and not application.is_bundle:
        context: dict[str, Any] = {
            "events": opened.events,
            "materials": opened.materials,
            "children": [],
        }
    else:
        reader = application.applicant if request.user.is_anonymous else signed_in_user(request)
        context = selectors.detail_context(application, reader)
    children = context["children"]
    # The applicant does not see the back office's claims and reassignments (as on his page).
    application.event_list = [  # type: ignore[attr-defined]
        e for e in context["events"] if not (own and e.action in display.STAFF_ONLY_ACTIONS)
    ]
    application.material_list = context["materials"]  # type: ignore[attr-defined]
    application.child_list = children  # type: ignore[attr-defined]
    serializer = s.ApplicationDetailSerializer(
        application,
        context={
            "remaining": deadlines.remaining([application, *children]),
            "is_applicant": own,
        },
    )
    data: dict[str, Any] = serializer.data  # type: ignore[assignment]
    if not own:
        data["answers"] = _masked_answers(application)
    return data


# The answer types whose values the staff pages mask (services.application_display).
MASKS: dict[str, Callable[[str], str]] = {
    "id_number": identity.mask_id_number,
    "phone": identity.mask_phone,
}


def _masked_answers(application: Application) -> dict[str, Any]:
    """The answers as staff pages show them: resident ID and mobile numbers masked, for
    anyone but the applicant (staff, departments' systems). An answer no longer in the form
    is masked too when it holds such a number."""
    kinds = {f["key"]: f.get("type") for f in drafts.definition_of(application).get("fields", [])}
    masked: dict[str, Any] = {}
    for key, value in application.answers.items():
        kind = kinds.get(key)
        if value in (None, "") or not isinstance(value, str | int):
            masked[key] = value
        elif kind in MASKS:
            masked[key] = MASKS[kind](str(value))
        elif kind is None and identity.mentions_personal_numbers(str(value)):
            masked[key] = "*" * len(str(value))
        else:
            masked[key] = value
    return masked


def summary_of(application: Application) -> dict[str, Any]:
    remaining = deadlines.remaining([application])
    return s.ApplicationSummarySerializer(application, context={"remaining": remaining}).data  # type: ignore[return-value]


# --- Incomplete applications: every problem at once, nested like the request body -----------


def _with_incomplete(
    application: Application, refusal: Invalid, problems: dict[str, Any]
) -> dict[str, Any]:
    """The problems found so far with drafts.check_complete's: its answers under "answers",
    each missing material under "materials" by its key."""
    if refusal.code != "incomplete" or not refusal.fields:
        raise refusal
    fields = dict(refusal.fields)
    listed_missing = fields.pop("materials", None)
    by_key = dict(problems.get("materials", {}))
    if listed_missing:
        for requirement in materials.missing(application):
            by_key.setdefault(
                requirement.key, [_("Missing: %(name)s") % {"name": requirement.name}]
            )
    merged = {"answers": {**problems.get("answers", {}), **fields}, "materials": by_key}
    return {key: value for key, value in merged.items() if value}


def _not_complete(problems: dict[str, Any]) -> Invalid:
    return Invalid(
        _("The application is not complete yet: see each field."),
        code="incomplete",
        fields=problems,
    )


def _requirement(application: Application, key: str) -> MaterialRequirement | None:
    return next((r for r in materials.requirements_of(application) if r.key == key), None)


# --- The list, applying, one case -----------------------------------------------------------


def _idempotency_key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        message = _("Send an Idempotency-Key header: a new random value for each application.")
        raise ValidationError({IDEMPOTENCY_HEADER: [message]}, code="idempotency_key_required")
    if len(key) > MAX_KEY_LENGTH:
        message = _("The Idempotency-Key may be at most %(n)d characters long.") % {
            "n": MAX_KEY_LENGTH
        }
        raise ValidationError({IDEMPOTENCY_HEADER: [message]}, code="idempotency_key_too_long")
    return key


class ApplicationList(generics.GenericAPIView):  # type: ignore[type-arg]
    authentication_classes = AUTHENTICATION
    permission_classes = PERMISSIONS
    pagination_class = PageNumberPagination
    serializer_class = s.ApplicationSummarySerializer

    def get_queryset(self) -> QuerySet[Application]:
        request = self.request
        queue = request.query_params.get("queue", "")
        if isinstance(request.auth, DepartmentClient):
            if queue not in ("", "department"):
                raise ValidationError(
                    {"queue": [_("A department's system reads its department's cases only.")]}
                )
            cases = selectors.cases_of_department(request.auth.department_id)
        elif not queue:
            cases = selectors.mine(signed_in_user(request))
        elif queue in STAFF_QUEUES:
            user = signed_in_user(request)
            if roles.is_staff_member(user):
                _second_factor(request)
            cases = STAFF_QUEUES[queue](user)
        else:
            raise ValidationError({"queue": [_("Choose intake, review or department.")]})
        wanted = request.query_params.get("status", "")
        if wanted:
            if wanted not in ApplicationStatus.values:
                raise ValidationError({"status": [_("Not a status of an application.")]})
            cases = cases.filter(status=wanted)
        return cases

    @extend_schema(
        summary="My applications; staff: a work queue; a department's system: its cases",
        parameters=[
            OpenApiParameter(
                "queue",
                str,
                enum=list(STAFF_QUEUES),
                description="Staff: intake (a clerk's halls), review (a reviewer's categories) "
                "or department (an administrator's departments). Without it: one's own "
                "applications. A department's system (scope applications): department.",
            ),
            OpenApiParameter("status", str, enum=ApplicationStatus.values),
            OpenApiParameter("page_size", int, description="At most 100."),
        ],
        responses={200: s.ApplicationSummarySerializer(many=True), **error_answers(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        remaining = deadlines.remaining(page)
        data = s.ApplicationSummarySerializer(page, many=True, context={"remaining": remaining})
        return self.get_paginated_response(data.data)

    @extend_schema(
        summary="Apply: create and submit an application in one go (idempotent by key)",
        description=(
            "Creates the application with its answers and the e-certificates given instead of "
            "copies (each records the holder's consent for the handling department), and "
            "submits it, unless `submit` is false (a draft: add uploads, then `submit/`). "
            "The same Idempotency-Key with the same body answers the first application again "
            "(200); with another body it is a 409 `idempotency_conflict`. An incomplete "
            "application is a 400 naming every problem in `fields`."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="A new random value (e.g. a UUID) per application; at most 100 "
                "characters. Retries send the same value.",
            )
        ],
        request=s.ApplicationCreateSerializer,
        examples=[
            OpenApiExample(
                "One service, an e-certificate instead of a copy",
                value={
                    "service": "44010090011C0003",
                    "answers": {
                        "applicant_name": "张三",
                        "applicant_phone": "13800138000",
                        "property_address": "广州市天河区天河路1号",
                    },
                    "materials": [{"requirement": "resident-id", "certificate": "1"}],
                },
                request_only=True,
            ),
            OpenApiExample(
                "A 一件事 bundle kept as a draft",
                value={"bundle": "newborn", "bundle_choices": [], "answers": {}, "submit": False},
                request_only=True,
            ),
        ],
        responses={
            201: s.ApplicationDetailSerializer,
            200: OpenApiResponse(
                s.ApplicationDetailSerializer, description="Sent again with the same key."
            ),
            **error_answers(400, 401, 403, 409),
        },
    )
    def post(self, request: Request) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        key = _idempotency_key(request)
        data = s.create_input(request.data)
        new = drafts.NewApplication(
            service=data.get("service"),
            bundle=data.get("bundle"),
            organisation=data.get("organisation"),
            hall=data.get("hall"),
            answers=data["answers"],
            bundle_choices=data.get("bundle_choices"),
            certificates=[(m["requirement"], m["certificate"]) for m in data["materials"]],
            submit=data["submit"],
        )
        user = signed_in_user(request)
        done = drafts.apply_once(new, by=user, key=key, payload=request.data)
        return Response(
            _detail(request, done.application, own=True, opened=done.opened),
            status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK,
        )


class ApplicationDetail(generics.GenericAPIView):  # type: ignore[type-arg]
    authentication_classes = AUTHENTICATION
    permission_classes = PERMISSIONS
    serializer_class = s.ApplicationDetailSerializer

    @extend_schema(
        summary="One application: status, numbers, dates, deadline, timeline and materials",
        description="The pickup code is shown to the applicant only. A read by staff or by a "
        "department's system is written to the audit log.",
        responses={200: s.ApplicationDetailSerializer, **error_answers(401, 403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        application, own = find_case(request, pk)
        if not own:
            _audit_read(request, application)
        return Response(_detail(request, application, own=own))


# --- Materials and submitting a draft -------------------------------------------------------


def body_first(view: Any) -> Any:
    """Read the body before anything else, as every POST of the API does: a body that cannot
    be read (nested too deeply, malformed) is refused before any case is looked up."""

    @functools.wraps(view)
    def reading(request: Request, *args: Any, **kwargs: Any) -> Response:
        request.data  # noqa: B018  (parses the body)
        return view(request, *args, **kwargs)

    return reading


def session_view(view: Any) -> Any:
    view = permission_classes(PERMISSIONS)(view)
    return authentication_classes(AUTHENTICATION)(view)


@extend_schema(
    summary="Upload a material to a draft or a supplement",
    description="The file is checked by its content against the material's accepted types "
    "and size; it replaces what was handed in for that material.",
    request={"multipart/form-data": s.MaterialUploadSerializer},
    responses={201: s.ApplicationMaterialSerializer, **error_answers(400, 401, 403, 404)},
)
@api_view(["POST"])
@session_view
@body_first
def upload_material(request: Request, pk: int) -> Response:
    application, _own = find_case(request, pk)
    serializer = s.MaterialUploadSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    requirement = _requirement(application, serializer.validated_data["requirement"])
    if requirement is None:
        raise Invalid(
            _("This application does not ask for that material."),
            code="unknown_material",
            fields={"requirement": [_("Choose a material of this service.")]},
        )
    upload = serializer.validated_data["file"]
    material = materials.attach_upload(
        application, requirement, upload, name=upload.name or "upload", by=signed_in_user(request)
    )
    return Response(s.ApplicationMaterialSerializer(material).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Submit a draft",
    description="Submitting a draft twice answers it unchanged.",
    request=None,
    responses={200: s.ApplicationDetailSerializer, **error_answers(400, 401, 403, 404, 409)},
)
@api_view(["POST"])
@session_view
@body_first
def submit(request: Request, pk: int) -> Response:
    application, own = find_case(request, pk)
    try:
        done = drafts.submit_draft(application, by=signed_in_user(request))
    except Invalid as exc:
        raise _not_complete(_with_incomplete(application, exc, {})) from None
    return Response(_detail(request, done, own=own))


@extend_schema(
    summary="Resubmit after a supplement was asked for (补正)",
    description="Upload the materials asked for first; `answers` changes only the answers "
    "given. A paused deadline clock resumes.",
    request=s.ResubmitSerializer,
    responses={200: s.ApplicationSummarySerializer, **error_answers(400, 401, 403, 404, 409)},
)
@api_view(["POST"])
@session_view
@body_first
def resubmit(request: Request, pk: int) -> Response:
    application, _own = find_case(request, pk)
    serializer = s.ResubmitSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data, user = serializer.validated_data, signed_in_user(request)
    # All or nothing: answers changed and checked, and the move, or none of it.
    with transaction.atomic():
        if "answers" in data:
            drafts.save_answers(
                application, by=user, answers={**application.answers, **data["answers"]}
            )
        try:
            done = drafts.resubmit(application, by=user, note=data["note"])
        except Invalid as exc:
            if exc.code != "incomplete":
                raise
            raise _not_complete(_with_incomplete(application, exc, {})) from None
    return Response(summary_of(done))

"""The statistics API (ADR 0014): ``GET /api/v1/satisfaction/{departments|services}/`` is public
(the open-data rows: counts per day and per department or service, no personal data);
``GET /api/v1/statistics/{table}/`` gives staff the dashboard's tables, department
administrators their department's, system administrators everyone's; other users get 403."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import roles
from portal.auth import signed_in_user
from portal.middleware import session_has_mfa
from services.api.application_serializers import ERROR
from services.views import dashboard, transparency

ROWS = OpenApiResponse(
    description="A list of rows, one object each; the fields are described on /open-data/."
)
RANGE = [
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: 29 days ago)."),
    OpenApiParameter("to", str, description="Last day, YYYY-MM-DD (default: today)."),
    OpenApiParameter("department", int, description="One of the reader's departments."),
    OpenApiParameter("unit", str, enum=["day", "week", "month"], description="For applications."),
]


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class Satisfaction(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Satisfaction and time limits per day, per department or service (open data)",
        description=(
            "The open-data rows of the last 365 days: per day and per department (by unified "
            "social credit code) or service (by implementation code), ratings, satisfied "
            "(5-4-3), bad (2-1), defaulted, the satisfaction rate, cases completed and "
            "completed on time. Ratings overturned on appeal are left out. Public; no personal "
            "data and no comments."
        ),
        responses={
            200: ROWS,
            404: OpenApiResponse(ERROR, description="Not departments or services."),
        },
    )
    def get(self, request: Request, which: str) -> Response:
        if which not in transparency.WHICH:
            raise NotFound(_("Ask for departments or services."))
        return Response(transparency.daily_rows(which))


class Statistics(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="One table of the statistics dashboard",
        description=(
            "The dashboard's table (applications, services, satisfaction_department, "
            "satisfaction_service, satisfaction_hall, satisfaction_window, satisfaction_staff, "
            "rectifications, halls, bundles) for a date range: department administrators see "
            "their departments, system administrators all."
        ),
        parameters=RANGE,
        responses={
            200: ROWS,
            401: OpenApiResponse(ERROR, description="Not signed in."),
            403: OpenApiResponse(ERROR, description="Not a department or system administrator."),
            404: OpenApiResponse(
                ERROR, description="No such table, or not one of your departments."
            ),
        },
    )
    def get(self, request: Request, table: str) -> Response:
        user = signed_in_user(request)
        if (
            roles.is_staff_member(user)
            and settings.STAFF_MFA_REQUIRED
            and not session_has_mfa(request._request)
        ):
            raise PermissionDenied(
                _("Sign in with your second factor to read the statistics."),
                code="second_factor_required",
            )
        if table not in dashboard.TABLES:
            raise NotFound(_("No such table."))
        try:
            scope, form = dashboard.scope_for(request._request)
        except DjangoPermissionDenied as refused:
            raise PermissionDenied(str(refused), code="not_allowed") from None
        except Http404 as missing:
            raise NotFound(str(missing)) from None
        rows = dashboard.TABLES[table].rows(dashboard.Figures(scope), form["unit"])
        return Response([{k: _json(v) for k, v in row.items()} for row in rows])

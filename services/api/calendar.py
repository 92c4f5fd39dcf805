"""The working-day calendar for departments' systems and kiosks: due dates on the official rule."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services import calendar

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


class StrictDate(serializers.DateField):
    """YYYY-MM-DD exactly; a well-formed date that does not exist (30 February) says so."""

    def to_internal_value(self, value: object) -> dt.date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise serializers.ValidationError(_("Give the date as YYYY-MM-DD, e.g. 2026-02-13."))
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise serializers.ValidationError(
                _("There is no such day as %(date)s: check the month and the day.")
                % {"date": value}
            ) from None


class DueDateQuery(serializers.Serializer):
    start = StrictDate(
        help_text=_("The day the clock starts (e.g. the day of acceptance), YYYY-MM-DD."),
    )
    days = serializers.IntegerField(
        min_value=0,
        max_value=calendar.MAX_DAYS,
        help_text=_("Number of working days; day 1 is the first working day after start."),
    )

    def validate(self, attrs: dict) -> dict:
        repeated = [name for name in ("start", "days") if len(self.initial_data.getlist(name)) > 1]
        if repeated:
            raise serializers.ValidationError(
                {name: [_("Give this parameter once.")] for name in repeated}
            )
        return attrs

    def validate_start(self, value: dt.date) -> dt.date:
        if not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(
                _("Give a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )
        return value


class DueDate(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="calendar_due_date",
        summary="Due date after a number of working days",
        description=(
            "Counts working days on the official calendar: weekends are off except make-up "
            "workdays (调休), official holidays are off, day 1 is the first working day after "
            "`start`: `?start=2026-02-13&days=5` gives 2026-02-27 (the make-up Saturday 14 "
            "February is day 1, the Spring Festival holiday 15–23 February is off). "
            "`provisional` is true when the count reached a day the State Council "
            "schedule does not cover yet; such days count by weekday alone. Public, throttled "
            "per client address like every anonymous read."
        ),
        parameters=[DueDateQuery],
        responses={
            200: inline_serializer(
                "DueDate",
                {"due": serializers.DateField(), "provisional": serializers.BooleanField()},
            ),
            400: OpenApiResponse(
                description="start or days missing, given twice, malformed or out of range, or "
                "a day that does not exist"
            ),
            429: OpenApiResponse(description="too many requests from this address"),
        },
        examples=[
            OpenApiExample(
                "Across the Spring Festival 2026 (start=2026-02-13, days=5)",
                value={"due": "2026-02-27", "provisional": False},
                response_only=True,
            )
        ],
    )
    def get(self, request: Request) -> Response:
        query = DueDateQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        deadline = calendar.add_working_days(
            query.validated_data["start"], query.validated_data["days"]
        )
        return Response({"due": deadline.due.isoformat(), "provisional": deadline.provisional})

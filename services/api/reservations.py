"""The reservations API (预约与叫号): free slots, one's bookings (book, cancel, move), queue
tickets (check-in or walk-in, for the front desk), a window's calls, and the hall display.

Views check the input's shape, call one function of ``services.booking`` or
``services.queueing`` and render; refusals become the API's error shape in portal.api.errors
(a full slot is a 409 ``fully_booked``). Staff calls need a session with the second factor,
like the staff pages.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.pagination import PageNumberPagination
from portal.auth import signed_in_user
from portal.models import Organisation, ServiceHall
from services import booking, booking_keys, hallcodes
from services import reservation_selectors as reads
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import Booking, Slot

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100


def error_answer(description: str) -> OpenApiResponse:
    return OpenApiResponse(description=description)


def error_codes(**by_status: list[str]) -> dict[str, Any]:
    return {
        "x-error-codes": {status.removeprefix("s"): codes for status, codes in by_status.items()}
    }


# --- Shapes ----------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text=gettext_lazy("Give it to book or move to this time."))
    hall = serializers.IntegerField(source="hall_id")
    queue = serializers.CharField(source="group.letter", help_text="The queue's ticket letter.")
    day = serializers.DateField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    places_left = serializers.IntegerField(help_text="0: fully booked.")


class SlotQuery(serializers.Serializer):
    hall = serializers.PrimaryKeyRelatedField(queryset=ServiceHall.objects.all())
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.filter(is_published=True), required=False
    )
    bundle = serializers.SlugRelatedField(
        slug_field="slug", queryset=Bundle.objects.filter(is_published=True), required=False
    )
    day = serializers.DateField(
        required=False, help_text="YYYY-MM-DD; all bookable days if left out."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("service" in data) == ("bundle" in data):
            raise ValidationError(_("Give either service or bundle."), code="service_or_bundle")
        return data


class SlotQueryKeys(serializers.Serializer):
    """``SlotQuery`` as typed, so that the slots are read before the hall and the service are
    looked up; only an empty answer is checked further (``SlotQuery`` says what is wrong)."""

    hall = serializers.IntegerField(min_value=1)
    service = serializers.CharField(required=False, max_length=40)
    bundle = serializers.CharField(required=False, max_length=100)
    day = serializers.DateField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if ("service" in data) == ("bundle" in data):
            raise ValidationError("service_or_bundle")
        return data


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="The booking code (10 digits) to check in with.")
    qr = serializers.SerializerMethodField(help_text="What the booking's QR code holds.")
    status = serializers.CharField()
    hall = serializers.IntegerField(source="hall_id")
    slot = serializers.IntegerField(source="slot_id")
    starts_at = serializers.DateTimeField(source="slot.starts_at")
    ends_at = serializers.DateTimeField(source="slot.ends_at")
    service = serializers.CharField(source="service.code", allow_null=True, default=None)
    bundle = serializers.CharField(source="bundle.slug", allow_null=True, default=None)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_qr(self, obj: Booking) -> str:
        return hallcodes.qr_payload(obj.code) if obj.is_live() else ""


_moment = serializers.DateTimeField()


def booking_answer(made: Booking) -> dict[str, Any]:
    """``BookingSerializer(made).data`` for a booking just made, from the rows in hand (no
    query), without building a serializer: the answer of every booking request."""
    return {
        "id": made.pk,
        "code": made.code,
        "qr": hallcodes.qr_payload(made.code) if made.is_live() else "",
        "status": str(made.status),
        "hall": made.hall_id,
        "slot": made.slot_id,
        "starts_at": _moment.to_representation(made.slot.starts_at),
        "ends_at": _moment.to_representation(made.slot.ends_at),
        "service": made.service.code if made.service is not None else None,
        "bundle": made.bundle.slug if made.bundle is not None else None,
        "organisation": made.organisation_id,
        "created_at": _moment.to_representation(made.created_at),
    }


class BookingCreateSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all())
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all(), required=False
    )
    bundle = serializers.SlugRelatedField(
        slug_field="slug", queryset=Bundle.objects.all(), required=False
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Book on behalf of an organisation you act for.",
    )


_MAX_ID = 2**63 - 1


def _usual_booking(data: Any) -> tuple[int, str] | None:
    """(slot id, service code) of the usual body, which ``BookingCreateSerializer`` would take
    as it is (a service for oneself), checked without building its fields; None for any other
    body, which the serializer checks and words. A slot or a service that does not exist is
    found by the booking's one read, and then the serializer words that too."""
    if not isinstance(data, dict) or "bundle" in data or "organisation" in data:
        return None
    slot, code = data.get("slot"), data.get("service")
    if type(slot) is not int or not 0 < slot <= _MAX_ID:
        return None
    if type(code) is not str or not code or "\x00" in code:
        return None
    return slot, code


class MoveSerializer(serializers.Serializer):
    slot = serializers.PrimaryKeyRelatedField(queryset=Slot.objects.all())


def slot_rows(values: list[reads.SlotValues]) -> list[dict[str, Any]]:
    """The API's shape of each slot (``SlotSerializer``) from plain values: the slots list is
    the hall's busiest public read, and a serializer per row costs more than the query."""
    to_text = _moment.to_representation
    return [
        {
            "id": pk,
            "hall": hall_id,
            "queue": letter,
            "day": day.isoformat(),
            "starts_at": to_text(starts_at),
            "ends_at": to_text(ends_at),
            "capacity": capacity,
            "places_left": max(capacity - booked, 0),
        }
        for pk, hall_id, letter, day, starts_at, ends_at, capacity, booked in values
    ]


# --- Slots and bookings ------------------------------------------------------------------------


class SlotList(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="slots_list",
        summary="Times one may book at a hall for a service or a bundle",
        description=(
            "The hall's slots for the service (or bundle) that have not started and are not "
            "closed, from today to BOOKING_DAYS_AHEAD days ahead (working days only: slots "
            "exist on working days). Full ones are included with `places_left` 0. Public."
        ),
        parameters=[SlotQuery],
        responses={
            200: SlotSerializer(many=True),
            400: error_answer("A parameter is missing or wrong."),
        },
    )
    def get(self, request: Request) -> Response:
        keys = SlotQueryKeys(data=request.query_params)
        if keys.is_valid():
            typed = keys.validated_data
            values = reads.slot_values_named(
                typed["hall"],
                service_code=typed.get("service", ""),
                bundle_slug=typed.get("bundle", ""),
                day=typed.get("day"),
            )
            if values:
                return Response(slot_rows(values))
        query = SlotQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        values = reads.slot_values(
            data["hall"],
            service=data.get("service"),
            bundle=data.get("bundle"),
            day=data.get("day"),
        )
        return Response(slot_rows(values))


def _idempotency_key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        message = _("Send an Idempotency-Key header: a new random value for each booking.")
        raise ValidationError({IDEMPOTENCY_HEADER: [message]}, code="idempotency_key_required")
    if len(key) > MAX_KEY_LENGTH:
        message = _("The Idempotency-Key may be at most %(n)d characters long.") % {
            "n": MAX_KEY_LENGTH
        }
        raise ValidationError({IDEMPOTENCY_HEADER: [message]}, code="idempotency_key_too_long")
    return key


class BookingList(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="bookings_list",
        summary="My bookings",
        description="The caller's bookings, the latest time first, paginated.",
        responses={200: BookingSerializer(many=True), 401: error_answer("Not signed in.")},
    )
    def get(self, request: Request) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            reads.my_bookings(signed_in_user(request)), request, self
        )
        return paginator.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="bookings_create",
        summary="Book a time (idempotent by key)",
        description=(
            "Books a place in the slot for one service or one bundle, for the caller or the "
            "organisation he acts for. The answer holds the booking code and its QR payload. "
            "The same Idempotency-Key with the same body answers the first booking again "
            "(200); with another body it is a 409 `idempotency_conflict`. A slot without "
            "places is a 409 `fully_booked`; a caller blocked for missed bookings is a 403 "
            "`booking_blocked` saying until when."
        ),
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="A new random value (e.g. a UUID) per booking; at most 100 "
                "characters. Retries send the same value.",
            )
        ],
        request=BookingCreateSerializer,
        examples=[
            OpenApiExample(
                "A time for one service",
                value={"slot": 1234, "service": "44010090001C0004"},
                request_only=True,
            ),
        ],
        responses={
            201: BookingSerializer,
            200: OpenApiResponse(BookingSerializer, description="Sent again with the same key."),
            400: error_answer(
                "Invalid input, or a time that cannot be booked (slot_started, "
                "beyond_booking_window, not_offered_here, wrong_applicant_kind, "
                "service_or_bundle)."
            ),
            401: error_answer("Not signed in."),
            403: error_answer("booking_blocked (missed bookings) or not_an_agent."),
            409: error_answer(
                "fully_booked, slot_closed, one_a_day, too_many_bookings, idempotency_conflict."
            ),
        },
        extensions=error_codes(
            s400=[
                "slot_started",
                "beyond_booking_window",
                "not_offered_here",
                "wrong_applicant_kind",
                "service_or_bundle",
                "idempotency_key_required",
            ],
            s403=["booking_blocked", "not_an_agent"],
            s409=[
                "fully_booked",
                "slot_closed",
                "one_a_day",
                "too_many_bookings",
                "idempotency_conflict",
            ],
        ),
    )
    def post(self, request: Request) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        key = booking_keys.RequestKey.of(_idempotency_key(request), request.data)
        person = signed_in_user(request)
        usual = _usual_booking(request.data)
        if usual is not None:
            done = booking_keys.book_usual_once(
                person=person,
                key=key,
                answer=booking_answer,
                slot_id=usual[0],
                service_code=usual[1],
            )
            if done is not None:
                return Response(
                    done[0], status=status.HTTP_201_CREATED if done[1] else status.HTTP_200_OK
                )
        serializer = BookingCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        answer, created = booking_keys.book_once(
            person=person,
            key=key,
            answer=booking_answer,
            slot=data["slot"],
            service=data.get("service"),
            bundle=data.get("bundle"),
            organisation=data.get("organisation"),
        )
        return Response(answer, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _booking(request: Request, pk: int) -> Booking:
    found = reads.booking_of(signed_in_user(request), pk)
    if found is None:
        raise Http404
    return found


class BookingCancel(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_cancel",
        summary="Cancel a booking",
        description=(
            "Until BOOKING_CHANGE_CUTOFF_MINUTES before its time; the place goes back to others."
        ),
        request=None,
        responses={
            200: BookingSerializer,
            400: error_answer("A body was sent that cannot be read; none is needed."),
            401: error_answer("Not signed in."),
            404: error_answer("No such booking of the caller."),
            409: error_answer("past_cutoff, or the booking is no longer booked (illegal_move)."),
        },
        extensions=error_codes(s409=["past_cutoff", "illegal_move"]),
    )
    def post(self, request: Request, pk: int) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        user = signed_in_user(request)
        booking.cancel(_booking(request, pk), by=user)
        return Response(BookingSerializer(reads.my_bookings(user).get(pk=pk)).data)


class BookingMove(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="bookings_move",
        summary="Move a booking to another time at the same hall",
        description="As booking and cancelling: until the cut-off, to a slot with places.",
        request=MoveSerializer,
        responses={
            200: BookingSerializer,
            400: error_answer("other_hall, slot_started, beyond_booking_window, not_offered_here."),
            401: error_answer("Not signed in."),
            404: error_answer("No such booking of the caller."),
            409: error_answer("fully_booked, slot_closed, one_a_day, past_cutoff, illegal_move."),
        },
        extensions=error_codes(
            s400=["other_hall", "slot_started", "beyond_booking_window", "not_offered_here"],
            s409=["fully_booked", "slot_closed", "one_a_day", "past_cutoff", "illegal_move"],
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        user = signed_in_user(request)
        found = _booking(request, pk)
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        booking.move(found, to=serializer.validated_data["slot"], by=user)
        return Response(BookingSerializer(reads.my_bookings(user).get(pk=pk)).data)

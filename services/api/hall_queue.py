"""The hall's queue in the API (叫号): tickets (check-in or walk-in, for the front desk), a
window's calls (call next, call again, not there, finish) and the hall display.

Views check the input's shape, call one function of ``services.queueing`` and render; staff
calls need a session with the second factor, like the staff pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import desk
from portal.auth import signed_in_user
from portal.errors import Conflict
from portal.middleware import session_has_mfa
from portal.models import ServiceHall, User
from services import queueing
from services import reservation_selectors as reads
from services.api.reservations import error_answer, error_codes
from services.models.bundles import Bundle
from services.models.catalogue import Service
from services.models.reservations import Ticket, Window, WindowGroup


class TicketCreateSerializer(serializers.Serializer):
    hall = serializers.PrimaryKeyRelatedField(queryset=ServiceHall.objects.all())
    code = serializers.CharField(required=False, max_length=20, help_text="A booking code.")
    qr = serializers.CharField(required=False, max_length=200, help_text="A booking QR payload.")
    id_number = serializers.CharField(
        required=False, max_length=18, help_text="The holder's ID number (an audited look-up)."
    )
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all(), required=False
    )
    bundle = serializers.SlugRelatedField(
        slug_field="slug", queryset=Bundle.objects.all(), required=False
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=WindowGroup.objects.all(), required=False, help_text="A queue, for a walk-in."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        check_in = [k for k in ("code", "qr", "id_number") if data.get(k)]
        walk_in = [k for k in ("service", "bundle", "group") if data.get(k)]
        if len(check_in) + len(walk_in) != 1:
            raise ValidationError(
                _(
                    "Give one of code, qr or id_number (check-in) "
                    "or service, bundle or group (walk-in)."
                ),
                code="one_of",
            )
        return data


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="The queue number, e.g. A023.")
    hall = serializers.IntegerField(source="hall_id")
    queue = serializers.CharField(source="group.letter")
    status = serializers.CharField()
    booked = serializers.BooleanField(source="priority", help_text="Called before walk-ins.")
    booking = serializers.IntegerField(source="booking_id", allow_null=True)
    window = serializers.CharField(source="window.number", allow_null=True, default=None)
    service = serializers.CharField(source="service.code", allow_null=True, default=None)
    bundle = serializers.CharField(source="bundle.slug", allow_null=True, default=None)
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(allow_null=True)
    calls = serializers.IntegerField()


class FinishedSerializer(serializers.Serializer):
    ticket = TicketSerializer()
    counter_intake = serializers.CharField(
        help_text="The counter intake page, with the holder on the clerk's desk (pages only)."
    )


class CalledSerializer(serializers.Serializer):
    number = serializers.CharField()
    window = serializers.CharField()
    called_at = serializers.DateTimeField(allow_null=True)
    calls = serializers.IntegerField()


class QueueSerializer(serializers.Serializer):
    letter = serializers.CharField()
    name = serializers.CharField()
    waiting = serializers.IntegerField()
    estimated_minutes = serializers.IntegerField()


class DisplaySerializer(serializers.Serializer):
    hall = serializers.SerializerMethodField()
    called = CalledSerializer(many=True, help_text="Tickets being called, newest first.")
    queues = QueueSerializer(many=True)
    at = serializers.DateTimeField()

    def get_hall(self, obj: reads.Display) -> dict[str, Any]:
        return {"id": obj.hall.pk, "name": obj.hall.display_name}


# --- Tickets and windows (staff) ----------------------------------------------------------------


def _clerk(request: Request) -> User:
    signed_in_user(request)  # 401 for nobody signed in
    if settings.STAFF_MFA_REQUIRED and not session_has_mfa(request._request):
        raise PermissionDenied(
            _("Sign in with your second factor to work at the hall."),
            code="second_factor_required",
        )
    try:
        return desk.require_clerk(request._request, _("Only window clerks work the hall's queue."))
    except Exception as exc:  # Django's PermissionDenied → the API's 403
        raise PermissionDenied(str(exc)) from None


def _ticket(ticket: Ticket) -> dict[str, Any]:
    fresh = Ticket.objects.select_related("group", "window", "service", "bundle").get(pk=ticket.pk)
    return TicketSerializer(fresh).data  # type: ignore[return-value]


STAFF_ERRORS = {
    401: error_answer("Not signed in."),
    403: error_answer("Not a window clerk, no second factor, or not_your_window."),
}


class TicketCreate(APIView):
    # Staff work needs the session's second factor, which a bearer token does not carry.
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="tickets_create",
        summary="Give a queue ticket: check a booking in, or a walk-in",
        description=(
            "For the front desk (a window clerk of the hall, with the second factor). With "
            "`code`, `qr` or `id_number` the booking is checked in: on time it is called before "
            "walk-ins, after the grace period it queues as a walk-in. With `service`, `bundle` "
            "or `group` a walk-in ticket is given."
        ),
        request=TicketCreateSerializer,
        responses={
            201: TicketSerializer,
            400: error_answer("malformed_code, bad_qr, bad_id_number, not_offered_here, no_queue."),
            **STAFF_ERRORS,
            404: error_answer("no_booking: no booking with this code (today, at this hall)."),
            409: error_answer(
                "other_hall, not_today, too_early, already_checked_in, illegal_move."
            ),
        },
        extensions=error_codes(
            s400=[
                "malformed_code",
                "bad_qr",
                "bad_id_number",
                "not_offered_here",
                "no_queue",
                "one_of",
            ],
            s404=["no_booking"],
            s409=["other_hall", "not_today", "too_early", "already_checked_in", "illegal_move"],
        ),
    )
    def post(self, request: Request) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        clerk = _clerk(request)
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hall = data["hall"]
        if hall.pk not in _clerk_halls(clerk):
            raise PermissionDenied(_("You are not a clerk of this hall."))
        if any(data.get(k) for k in ("code", "qr", "id_number")):
            ticket = queueing.check_in(
                hall,
                code=data.get("code", ""),
                qr=data.get("qr", ""),
                id_number=data.get("id_number", ""),
                by=clerk,
                request=request._request,
            )
        else:
            ticket = queueing.walk_in(
                hall,
                service=data.get("service"),
                bundle=data.get("bundle"),
                group=data.get("group"),
                by=clerk,
            )
        return Response(_ticket(ticket), status=status.HTTP_201_CREATED)


def _clerk_halls(clerk: User) -> set[int]:
    from services import permissions as case_permissions

    return case_permissions.clerk_hall_ids(clerk)


def _window(clerk: User, pk: int) -> Window:
    window = get_object_or_404(Window, pk=pk)
    if window.hall_id not in _clerk_halls(clerk):
        raise Http404
    return window


def _called_here(window: Window) -> Ticket:
    current = reads.current_ticket(window)
    if current is None:
        raise Conflict(_("Nobody is called at this window."), code="no_ticket_called")
    return current


WINDOW_ACTIONS = {
    "call-next": (
        "Call the next ticket",
        "The next waiting ticket of the window's queues: booked ones first, then by arrival.",
        ["ticket_open", "queue_empty"],
    ),
    "recall": ("Call the ticket again", "The display shows it again.", ["no_ticket_called"]),
    "no-show": (
        "The called visitor is not there",
        "A booked visitor's booking counts as missed (towards a block on booking).",
        ["no_ticket_called", "illegal_move"],
    ),
    "finish": (
        "Finish the visit",
        "The ticket is done; the answer links to counter intake for the booked service.",
        ["no_ticket_called", "illegal_move"],
    ),
}


def window_view(action: str) -> Any:
    summary, description, codes = WINDOW_ACTIONS[action]

    class WindowAction(APIView):
        authentication_classes = [SessionAuthentication]
        permission_classes = [permissions.IsAuthenticated]

        @extend_schema(
            operation_id=f"windows_{action.replace('-', '_')}",
            summary=summary,
            description=description
            + " Only by a clerk staffing the window today, with the second factor.",
            request=None,
            responses={
                200: FinishedSerializer if action == "finish" else TicketSerializer,
                400: error_answer("A body was sent that cannot be read; none is needed."),
                **STAFF_ERRORS,
                404: error_answer("No such window at the clerk's halls."),
                409: error_answer(", ".join(codes) + "."),
            },
            extensions=error_codes(s403=["not_your_window"], s409=codes),
        )
        def post(self, request: Request, pk: int) -> Response:
            request.data  # noqa: B018  (a body that cannot be read is refused first)
            clerk = _clerk(request)
            window = _window(clerk, pk)
            if action == "call-next":
                return Response(_ticket(queueing.call_next(window, by=clerk)))
            if not queueing.staffs(clerk, window):
                raise PermissionDenied(
                    _("You are not staffing window %(number)s today.") % {"number": window.number}
                )
            current = _called_here(window)
            if action == "recall":
                return Response(_ticket(queueing.recall(current, by=clerk)))
            if action == "no-show":
                return Response(_ticket(queueing.no_show(current, by=clerk)))
            intake = queueing.finish(current, by=clerk)
            query = f"?q={intake.service.code}" if intake.service is not None else ""
            return Response(
                {
                    "ticket": _ticket(intake.ticket),
                    "counter_intake": reverse("services:counter_start") + query,
                }
            )

    WindowAction.__name__ = f"Window{action.title().replace('-', '')}"
    return WindowAction.as_view()


class HallDisplay(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="halls_display",
        summary="What the hall's screen shows",
        description=(
            "Tickets being called with their window (newest first) and, per queue, the people "
            "waiting and an estimated wait in minutes. Public, no personal data: the hall "
            "display page polls it."
        ),
        responses={200: DisplaySerializer, 404: error_answer("No such hall.")},
    )
    def get(self, request: Request, pk: int) -> Response:
        hall = get_object_or_404(ServiceHall, pk=pk)
        return Response(DisplaySerializer(reads.display(hall)).data)

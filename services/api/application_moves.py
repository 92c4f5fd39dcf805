"""One API endpoint per move of an application (受理, 补正, 不予受理, 准予, 不予许可, 撤回, claim,
release, 出件): each checks the body, calls one function of ``services.workflow`` or
``services.routing`` (which decide who may) and answers the case's summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from portal.auth import signed_in_user
from portal.models import User
from services import routing, workflow
from services.api import application_serializers as s
from services.api.applications import body_first, error_answers, find_case, session_view, summary_of
from services.models.applications import Application


def _move(
    request: Request,
    pk: int,
    serializer_class: type[Serializer[Any]] | None,
    act: Callable[[Application, User, dict[str, Any]], Application],
) -> Response:
    application, _own = find_case(request, pk)
    data: dict[str, Any] = {}
    if serializer_class is not None:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
    return Response(summary_of(act(application, signed_in_user(request), data)))


def _move_schema(summary: str, request: type[Serializer[Any]] | None, description: str = "") -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: s.ApplicationSummarySerializer, **error_answers(400, 401, 403, 404, 409)},
    )


@_move_schema(
    "Accept (受理): the acceptance number, the deadline, routing to review",
    s.ApplicationOpinionSerializer,
    "A clerk of the hall that takes the application in.",
)
@api_view(["POST"])
@session_view
@body_first
def accept(request: Request, pk: int) -> Response:
    return _move(
        request, pk, s.ApplicationOpinionSerializer, lambda a, by, d: workflow.accept(a, by=by, **d)
    )


@_move_schema(
    "Ask for a supplement (一次性告知): everything missing or wrong in one notice",
    s.SupplementSerializer,
    "At intake a clerk of the hall; in review the step's reviewer (the clock pauses).",
)
@api_view(["POST"])
@session_view
@body_first
def request_supplement(request: Request, pk: int) -> Response:
    return _move(
        request,
        pk,
        s.SupplementSerializer,
        lambda a, by, d: workflow.request_supplement(a, by=by, **d),
    )


@_move_schema("Refuse at intake (不予受理), with the reason", s.ApplicationReasonSerializer)
@api_view(["POST"])
@session_view
@body_first
def refuse(request: Request, pk: int) -> Response:
    return _move(
        request, pk, s.ApplicationReasonSerializer, lambda a, by, d: workflow.refuse(a, by=by, **d)
    )


@_move_schema(
    "Approve (准予): pass the review step; the last one decides and issues the result",
    s.ApproveSerializer,
    "The reviewer the step is assigned to, or the step department's administrator.",
)
@api_view(["POST"])
@session_view
@body_first
def approve(request: Request, pk: int) -> Response:
    return _move(request, pk, s.ApproveSerializer, lambda a, by, d: workflow.approve(a, by=by, **d))


@_move_schema("Deny (不予许可), with the reason", s.ApplicationReasonSerializer)
@api_view(["POST"])
@session_view
@body_first
def deny(request: Request, pk: int) -> Response:
    return _move(
        request, pk, s.ApplicationReasonSerializer, lambda a, by, d: workflow.deny(a, by=by, **d)
    )


@_move_schema("Withdraw (撤回) before the decision", s.WithdrawSerializer)
@api_view(["POST"])
@session_view
@body_first
def withdraw(request: Request, pk: int) -> Response:
    return _move(
        request,
        pk,
        s.WithdrawSerializer,
        lambda a, by, d: workflow.withdraw(a, by=by, **d),
    )


@_move_schema("Claim a case of one's review queue", None)
@api_view(["POST"])
@session_view
@body_first
def claim(request: Request, pk: int) -> Response:
    return _move(request, pk, None, lambda a, by, d: routing.claim(a, by=by))


@_move_schema("Give a case back to its review queue", None)
@api_view(["POST"])
@session_view
@body_first
def release(request: Request, pk: int) -> Response:
    return _move(request, pk, None, lambda a, by, d: routing.release(a, by=by))


@_move_schema(
    "Hand the result over at the pickup window (统一窗口出件); the case completes",
    None,
    "A clerk of the application's hall.",
)
@api_view(["POST"])
@session_view
@body_first
def hand_over(request: Request, pk: int) -> Response:
    return _move(request, pk, None, lambda a, by, d: workflow.hand_over(a, by=by))

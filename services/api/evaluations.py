"""The ratings API (好差评): rate one's finished case or window visit, and work the
rectification of bad ratings, one endpoint per move. Views check the input's shape and call one
function of services.rating or services.rectification; their refusals become the API's error
shape (portal.api.errors): 400 invalid input, 403 a move one may not make on a rectification one
sees, 404 someone else's case, visit or rectification, 409 rated twice or a move its state does
not allow. Staff work needs the second factor, as on the staff pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal import roles
from portal.api.pagination import PageNumberPagination
from portal.auth import signed_in_user
from portal.middleware import session_has_mfa
from portal.models import User
from services import application_selectors, rating, rectification
from services import evaluation_selectors as selectors
from services import permissions as case_permissions
from services.api.application_serializers import ERROR
from services.models.evaluations import (
    INDICATOR_LABELS,
    ON_SITE_INDICATORS,
    ONLINE_INDICATORS,
    Classification,
    Evaluation,
    Rectification,
)
from services.models.reservations import Ticket

# --- Shapes ---------------------------------------------------------------------------------


def _level_field(help_text: str, *, required: bool) -> serializers.IntegerField:
    # Range checked by services.rating, so that the page and the API say the same.
    return serializers.IntegerField(required=required, allow_null=not required, help_text=help_text)


class _RatingIn(serializers.Serializer):  # type: ignore[type-arg]
    level = _level_field("Overall: 5 非常满意 … 1 非常不满意.", required=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        default=list,
        max_length=20,
        help_text="Keys from: " + ", ".join(rating.TAGS) + ".",
    )


class OnlineRatingSerializer(_RatingIn):
    efficiency = _level_field("Efficiency, 1 to 5 (optional).", required=False)
    guide_accuracy = _level_field("Accuracy of the service guide, 1 to 5.", required=False)
    convenience = _level_field("Convenience, 1 to 5.", required=False)
    platform_ease = _level_field("Ease of use of the platform, 1 to 5.", required=False)


class OnSiteRatingSerializer(_RatingIn):
    efficiency = _level_field("Efficiency, 1 to 5 (optional).", required=False)
    service_level = _level_field("Service level, 1 to 5.", required=False)
    attitude = _level_field("Attitude, 1 to 5.", required=False)


def _read_level(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, allow_null=True, help_text=help_text)


class EvaluationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    channel = serializers.CharField(read_only=True, help_text="online or on_site")
    level = serializers.IntegerField(read_only=True, help_text="5 非常满意 … 1 非常不满意")
    efficiency = _read_level("1 to 5, or null")
    guide_accuracy = _read_level("Online only.")
    convenience = _read_level("Online only.")
    platform_ease = _read_level("Online only.")
    service_level = _read_level("On site only.")
    attitude = _read_level("On site only.")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    rectification = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "application",
            "ticket",
            "channel",
            "level",
            "level_label",
            *INDICATOR_LABELS,
            "comment",
            "tags",
            "follow_up",
            "defaulted",
            "created_at",
            "rectification",
        ]

    def get_rectification(self, obj: Evaluation) -> int | None:
        rect = getattr(obj, "rectification", None)
        return rect.pk if rect is not None else None


class FollowUpSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=2000)


class RectificationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    reference = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="open, investigating, classified, "
        "acted, called_back, answered, closed, appealed or overturned",
    )
    classification = serializers.CharField(
        read_only=True, help_text="reasonable, complex, no_legal_basis, or empty until classified"
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    level = serializers.IntegerField(source="evaluation.level", read_only=True)
    application = serializers.IntegerField(
        source="evaluation.application_id", read_only=True, allow_null=True
    )
    ticket = serializers.IntegerField(
        source="evaluation.ticket_id", read_only=True, allow_null=True
    )
    comment = serializers.CharField(source="evaluation.comment", read_only=True)

    # What only the department and the administrators read (notes may name staff).
    INTERNAL = ("staff", "finding", "action_taken", "call_back_note")

    class Meta:
        model = Rectification
        fields = [
            "id",
            "reference",
            "status",
            "status_label",
            "level",
            "application",
            "ticket",
            "comment",
            "department",
            "staff",
            "classification",
            "finding",
            "action_taken",
            "call_back_note",
            "answer",
            "answered_at",
            "applicant_satisfied",
            "opened_at",
            "due_date",
            "appeal_by",
            "overdue",
            "closed_at",
        ]

    def to_representation(self, instance: Rectification) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        reader = self.context.get("reader")
        staff_side = reader is not None and (
            rectification.handles(reader, instance)
            or instance.staff_id == reader.pk
            or roles.is_system_admin(reader)
        )
        if not staff_side:
            for name in self.INTERNAL:
                data.pop(name, None)
        return data


class NoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class RequiredNoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(max_length=4000)


class ClassifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    classification = serializers.ChoiceField(choices=Classification.choices)
    finding = serializers.CharField(max_length=4000)
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="For a complex case: a later deadline, at most "
        "RECTIFICATION_COMPLEX_MAX_DAYS working days after opening.",
    )


class ActSerializer(serializers.Serializer):  # type: ignore[type-arg]
    action_taken = serializers.CharField(max_length=4000)


class AnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=4000, help_text="The applicant reads this.")


class AppealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=4000)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ERROR, description=description)


ERRORS = {
    400: _error("Invalid input (`invalid_level`, `unknown_indicator`, …): `fields` names each."),
    401: _error("Not signed in."),
    403: _error("Signed in, but may not make this move on a rectification he can see."),
    404: _error("No such case, visit or rectification of the caller's."),
    409: _error("Rated already (`rated`), or the state does not allow it (`illegal_move`)."),
}


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERRORS[code] for code in codes}


def _session_view(view: Any) -> Any:
    view = permission_classes([permissions.IsAuthenticated])(view)
    return authentication_classes([SessionAuthentication])(view)


def _indicators(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: data[name] for name in names if data.get(name) is not None}


# --- Rating ---------------------------------------------------------------------------------


@extend_schema(
    summary="Rate one's finished case (一事一评)",
    description=(
        "Once per case, by its applicant, when it is completed, denied or refused at intake; "
        "a rating is never changed. A rating of 2 or 1 opens a rectification for the "
        "department (its id in `rectification`). Not rated within EVALUATION_DEFAULT_DAYS "
        "working days, a case counts as satisfied (`defaulted`)."
    ),
    request=OnlineRatingSerializer,
    responses={201: EvaluationSerializer, **_errors(400, 401, 404, 409)},
    extensions={"x-error-codes": {"409": ["rated", "illegal_move"]}},
)
@api_view(["POST"])
@_session_view
def rate_application(request: Request, pk: int) -> Response:
    request.data  # noqa: B018  (a body that cannot be read is refused first)
    user = signed_in_user(request)
    # His own case or a service of his bundle; a case he handles as staff is not his to rate.
    application = application_selectors.visible_application(user, pk)
    if not case_permissions.is_applicant(user, application):
        raise Http404
    serializer = OnlineRatingSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    evaluation = rating.rate_application(
        application,
        by=user,
        level=data["level"],
        indicators=_indicators(data, ONLINE_INDICATORS),
        comment=data["comment"],
        tags=data["tags"],
    )
    return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Add the one follow-up comment to one's rating of a case (追评)",
    description="The rater may add one follow-up comment; the rating itself never changes. "
    "A second one is a 409 `followed_up`; a defaulted rating has no rater and takes none.",
    request=FollowUpSerializer,
    responses={200: EvaluationSerializer, **_errors(400, 401, 404, 409)},
    extensions={"x-error-codes": {"409": ["followed_up"]}},
)
@api_view(["POST"])
@_session_view
def follow_up(request: Request, pk: int) -> Response:
    request.data  # noqa: B018  (a body that cannot be read is refused first)
    user = signed_in_user(request)
    evaluation = Evaluation.objects.filter(application_id=pk, rater=user).first()
    if evaluation is None:
        raise Http404
    serializer = FollowUpSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    done = rating.add_follow_up(evaluation, by=user, text=serializer.validated_data["text"])
    return Response(EvaluationSerializer(done).data)


@extend_schema(
    summary="Rate one's finished window visit (一次一评)",
    description=(
        "Once per visit (ticket), by the person the ticket was issued to, once the window has "
        "served it: efficiency, service level and attitude. A rating of 2 or 1 opens a "
        "rectification for the department of the window or the service."
    ),
    request=OnSiteRatingSerializer,
    responses={201: EvaluationSerializer, **_errors(400, 401, 404, 409)},
    extensions={"x-error-codes": {"409": ["rated", "illegal_move"]}},
)
@api_view(["POST"])
@_session_view
def rate_ticket(request: Request, pk: int) -> Response:
    request.data  # noqa: B018  (a body that cannot be read is refused first)
    user = signed_in_user(request)
    ticket = Ticket.objects.filter(pk=pk, person=user).first()
    if ticket is None:
        raise Http404
    serializer = OnSiteRatingSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    evaluation = rating.rate_ticket(
        ticket,
        by=user,
        level=data["level"],
        indicators=_indicators(data, ON_SITE_INDICATORS),
        comment=data["comment"],
        tags=data["tags"],
    )
    return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


# --- Rectifications -------------------------------------------------------------------------


def _second_factor(request: Request, user: User) -> None:
    if (
        roles.is_staff_member(user)
        and settings.STAFF_MFA_REQUIRED
        and not session_has_mfa(request._request)
    ):
        raise PermissionDenied(
            _("Sign in with your second factor to work on rectifications."),
            code="second_factor_required",
        )


def _reader(request: Request) -> dict[str, Any]:
    return {"reader": signed_in_user(request)}


def _visible(request: Request) -> QuerySet[Rectification]:
    user = signed_in_user(request)
    _second_factor(request, user)
    return selectors.visible_to(user) | selectors.rated_by(user)


class RectificationList(generics.ListAPIView):  # type: ignore[type-arg]
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination
    serializer_class = RectificationSerializer

    def get_queryset(self) -> QuerySet[Rectification]:
        show = self.request.query_params.get("show", "all")
        if show not in selectors.LIST_FILTERS:
            message = _("Choose one of: %s.") % ", ".join(selectors.LIST_FILTERS)
            raise ValidationError({"show": [message]})
        return selectors.filtered(_visible(self.request), show).order_by("due_date", "id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), **_reader(self.request)}

    @extend_schema(
        summary="Rectifications of bad ratings (差评整改)",
        description=(
            "Department administrators: their departments'; system administrators: all; a "
            "staff member named in one: those; an applicant: those of his own ratings "
            "(without the department's internal notes)."
        ),
        parameters=[
            OpenApiParameter("show", str, enum=list(selectors.LIST_FILTERS), default="all"),
        ],
        responses={200: RectificationSerializer(many=True), **_errors(400, 401, 403)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(
    summary="One rectification",
    description="As in the list: the department's staff read its notes; the applicant reads "
    "the answer, the deadline and the status only.",
    responses={200: RectificationSerializer, **_errors(401, 403, 404)},
)
@api_view(["GET"])
@_session_view
def rectification_detail(request: Request, pk: int) -> Response:
    found = _visible(request).filter(pk=pk).first()
    if found is None:
        raise Http404
    return Response(RectificationSerializer(found, context=_reader(request)).data)


Mover = Callable[[Rectification, User, dict[str, Any]], Rectification]

# segment -> (request serializer, the move, who makes it, summary)
MOVE_ENDPOINTS: dict[str, tuple[type[serializers.Serializer], Mover, str]] = {  # type: ignore[type-arg]
    "investigate": (
        NoteSerializer,
        lambda r, u, d: rectification.investigate(r, by=u, note=d["note"]),
        "Start the investigation (department administrator)",
    ),
    "classify": (
        ClassifySerializer,
        lambda r, u, d: rectification.classify(
            r,
            by=u,
            classification=d["classification"],
            finding=d["finding"],
            due_date=d.get("due_date"),
        ),
        "Record the finding and classify: reasonable, complex (later deadline), no legal basis",
    ),
    "act": (
        ActSerializer,
        lambda r, u, d: rectification.act(r, by=u, action_taken=d["action_taken"]),
        "Record what was done (or, without legal basis, the explanation)",
    ),
    "call-back": (
        RequiredNoteSerializer,
        lambda r, u, d: rectification.call_back(r, by=u, note=d["note"]),
        "Record the call-back to the applicant (回访)",
    ),
    "answer": (
        AnswerSerializer,
        lambda r, u, d: rectification.answer(r, by=u, text=d["text"]),
        "Answer the applicant (he reads it on his case page and is told)",
    ),
    "appeal": (
        AppealSerializer,
        lambda r, u, d: rectification.appeal(r, by=u, reason=d["reason"]),
        "Appeal a malicious rating to the system administrators, until `appeal_by`",
    ),
    "uphold": (
        NoteSerializer,
        lambda r, u, d: rectification.uphold(r, by=u, note=d["note"]),
        "Decide an appeal: the rating stands (system administrator)",
    ),
    "overturn": (
        RequiredNoteSerializer,
        lambda r, u, d: rectification.overturn(r, by=u, note=d["note"]),
        "Decide an appeal: the rating is overturned and excluded (system administrator)",
    ),
    "accept-answer": (
        NoteSerializer,
        lambda r, u, d: rectification.accept_answer(r, by=u, note=d["note"]),
        "The applicant is satisfied with the answer",
    ),
    "reject-answer": (
        NoteSerializer,
        lambda r, u, d: rectification.reject_answer(r, by=u, note=d["note"]),
        "The applicant is not satisfied with the answer",
    ),
}


def _move_view(segment: str) -> Any:
    serializer_class, mover, summary = MOVE_ENDPOINTS[segment]

    @extend_schema(
        summary=summary,
        description=(
            "One move of the rectification's table (services/rectification.py MOVES). "
            "Another department's rectification is a 404; a move the state does not allow, "
            "or an appeal after `appeal_by`, a 409."
        ),
        request=serializer_class,
        responses={200: RectificationSerializer, **_errors(400, 401, 403, 404, 409)},
        extensions={"x-error-codes": {"409": ["illegal_move"]}},
        operation_id=f"rectifications_{segment.replace('-', '_')}",
    )
    @api_view(["POST"])
    @_session_view
    def move(request: Request, pk: int) -> Response:
        request.data  # noqa: B018  (a body that cannot be read is refused first)
        found = _visible(request).filter(pk=pk).first()
        if found is None:
            raise Http404
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        done = mover(found, signed_in_user(request), dict(serializer.validated_data))
        return Response(RectificationSerializer(done, context=_reader(request)).data)

    return move


MOVE_VIEWS = {segment: _move_view(segment) for segment in MOVE_ENDPOINTS}

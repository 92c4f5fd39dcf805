"""Ratings (好差评): the only code that creates an ``Evaluation``.

Online 一事一评: the applicant rates his finished case once. On site 一次一评: the visitor rates
a finished window visit once, signed in as the ticket's person or through the QR code shown at
the window. A rating is never changed; one follow-up comment may be added. A case or visit not
rated within ``EVALUATION_DEFAULT_DAYS`` working days counts as satisfied (defaulted). A bad
rating (2 or 1) opens a rectification in the same transaction (``services.rectification``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import Conflict, IllegalMove, Invalid, NotFound
from portal.models import User
from services import calendar, permissions, rectification
from services.models.applications import Application, ApplicationEvent, ApplicationStatus
from services.models.evaluations import (
    ON_SITE_INDICATORS,
    ONLINE_INDICATORS,
    Evaluation,
    EvaluationChannel,
    Level,
)
from services.models.reservations import Ticket, TicketStatus

A = ApplicationStatus
# A case is rated once it is finished with a result: completed, denied, or refused at intake.
RATEABLE = frozenset({A.COMPLETED, A.DENIED, A.NOT_ACCEPTED})
DECIDING_ACTIONS = ("approve", "deny", "refuse", "complete")
COMMENT_MAX = 500
TOKEN_SALT = "services.rating.ticket"  # noqa: S105  (a namespace, not a secret)

# Tags the rater may pick (GB/T 39735 lists such reasons); stored by key, shown translated.
TAGS: dict[str, Any] = {
    "quick": gettext_lazy("Quick"),
    "clear_guide": gettext_lazy("Clear service guide"),
    "friendly": gettext_lazy("Friendly staff"),
    "one_visit": gettext_lazy("Done in one visit"),
    "slow": gettext_lazy("Too slow"),
    "unclear_guide": gettext_lazy("Service guide unclear"),
    "many_visits": gettext_lazy("Had to come back several times"),
    "unfriendly": gettext_lazy("Unfriendly staff"),
    "hard_to_use": gettext_lazy("Platform hard to use"),
}


# --- Checks of the input --------------------------------------------------------------------


def _level(value: Any, field: str, *, required: bool) -> int | None:
    if value in (None, "") and not required:
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if str(value).strip() != str(level) or level not in Level.values:
        raise Invalid(
            _("Choose a level from 1 (very dissatisfied) to 5 (very satisfied)."),
            code="invalid_level",
            fields={field: [_("Choose a level from 1 to 5.")]},
        )
    return level


def _clean(
    level: Any, indicators: dict[str, Any], allowed: Iterable[str], comment: str, tags: Any
) -> dict[str, Any]:
    allowed = tuple(allowed)
    unknown = sorted(set(indicators) - set(allowed))
    if unknown:
        raise Invalid(
            _("This rating has no indicator %(names)s.") % {"names": ", ".join(unknown)},
            code="unknown_indicator",
            fields={name: [_("Not an indicator of this rating.")] for name in unknown},
        )
    cleaned: dict[str, Any] = {"level": _level(level, "level", required=True)}
    for name in allowed:
        cleaned[name] = _level(indicators.get(name), name, required=False)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Invalid(
            _("Keep the comment to %(n)d characters.") % {"n": COMMENT_MAX},
            code="comment_too_long",
            fields={"comment": [_("At most %(n)d characters.") % {"n": COMMENT_MAX}]},
        )
    given = list(dict.fromkeys(tags or []))
    wrong = [tag for tag in given if tag not in TAGS]
    if wrong:
        raise Invalid(
            _("Choose tags from the list."),
            code="unknown_tag",
            fields={"tags": [_("Not a tag: %(tag)s") % {"tag": wrong[0]}]},
        )
    cleaned["comment"], cleaned["tags"] = comment, given
    return cleaned


# --- Facts for pages ------------------------------------------------------------------------


def finished_at(application: Application) -> dt.datetime | None:
    """When the case reached its final status (the event of the deciding move)."""
    if application.status not in RATEABLE:
        return None
    return application.completed_at or (
        application.events.filter(to_status=application.status)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )


def closes_on(finished: dt.datetime) -> calendar.Deadline:
    """The last day to rate before the rating counts as satisfied by default."""
    return calendar.add_working_days(timezone.localdate(finished), settings.EVALUATION_DEFAULT_DAYS)


def may_rate(application: Application, user: User) -> bool:
    """The applicant's finished case, not yet rated (a bundle's parent is rated by service)."""
    return (
        application.status in RATEABLE
        and application.service_id is not None
        and not Evaluation.objects.filter(application=application).exists()
        and permissions.is_applicant(user, application)
    )


# --- Rating ---------------------------------------------------------------------------------


def _decider(application: Application) -> int | None:
    """The clerk or reviewer who made the case's deciding move (the one a complaint is about)."""
    actor: int | None = (
        ApplicationEvent.objects.filter(
            application=application, action__in=DECIDING_ACTIONS, actor__isnull=False
        )
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return actor or application.taken_in_by_id or application.assigned_to_id


def _already_rated() -> Conflict:
    return Conflict(_("This has already been rated; a rating cannot be changed."), code="rated")


@transaction.atomic
def rate_application(
    application: Application,
    *,
    by: User,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
    tags: Iterable[str] = (),
) -> Evaluation:
    """一事一评: the applicant rates his finished case once, with the online indicators."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service")
        .get(pk=application.pk)
    )
    if not permissions.is_applicant(by, locked):
        raise NotFound(_("No such application of yours."))
    if locked.status not in RATEABLE or locked.service_id is None:
        raise IllegalMove(
            _("A case is rated once it is finished; rate each service of a bundle on its own."),
            status=locked.status,
            action="rate",
        )
    if Evaluation.objects.filter(application=locked).exists():
        raise _already_rated()
    data = _clean(level, indicators or {}, ONLINE_INDICATORS, comment, tags)
    assert locked.service is not None
    evaluation = Evaluation.objects.create(
        application=locked,
        channel=EvaluationChannel.ONLINE,
        rater=by,
        department_id=locked.service.department_id,
        service_id=locked.service_id,
        hall_id=locked.hall_id,
        staff_id=_decider(locked),
        **data,
    )
    if evaluation.is_bad:
        rectification.open_for(evaluation)
    return evaluation


def ticket_token(ticket: Ticket) -> str:
    """What the QR code at the window carries: the right to rate this one visit."""
    return signing.dumps(ticket.pk, salt=TOKEN_SALT, compress=True)


def ticket_from_token(token: str) -> Ticket:
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise NotFound(_("This rating link is not valid.")) from None
    ticket = Ticket.objects.select_related("hall", "window", "service").filter(pk=pk).first()
    if ticket is None:
        raise NotFound(_("This rating link is not valid."))
    return ticket


def visit_department_id(ticket: Ticket) -> int | None:
    """The department that served the visit: its window's, else its service's."""
    if ticket.window is not None and ticket.window.department_id is not None:
        return ticket.window.department_id
    return ticket.service.department_id if ticket.service is not None else None


@transaction.atomic
def rate_ticket(
    ticket: Ticket,
    *,
    by: User | None,
    level: Any,
    indicators: dict[str, Any] | None = None,
    comment: str = "",
    tags: Iterable[str] = (),
    with_token: bool = False,
) -> Evaluation:
    """一次一评: the visitor rates a finished window visit once (efficiency, service level,
    attitude). ``with_token``: the caller proved he holds the QR code shown at the window;
    otherwise he must be the ticket's person."""
    locked = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("window", "service")
        .get(pk=ticket.pk)
    )
    if not with_token and (by is None or locked.person_id != by.pk):
        raise NotFound(_("No such visit of yours."))
    if locked.status != TicketStatus.DONE:
        raise IllegalMove(
            _("A visit is rated once the window has served it."),
            status=locked.status,
            action="rate",
        )
    if Evaluation.objects.filter(ticket=locked).exists():
        raise _already_rated()
    data = _clean(level, indicators or {}, ON_SITE_INDICATORS, comment, tags)
    rater = by if by is not None and by.is_authenticated else None
    evaluation = Evaluation.objects.create(
        ticket=locked,
        channel=EvaluationChannel.ON_SITE,
        rater=rater or (locked.person if locked.person_id else None),
        department_id=visit_department_id(locked),
        service_id=locked.service_id,
        hall_id=locked.hall_id,
        window_id=locked.window_id,
        staff_id=locked.called_by_id,
        **data,
    )
    if evaluation.is_bad:
        rectification.open_for(evaluation)
    return evaluation


@transaction.atomic
def add_follow_up(evaluation: Evaluation, *, by: User, text: str) -> Evaluation:
    """The rater's one follow-up comment (追评); the rating itself stays as it was."""
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.rater_id != by.pk or locked.defaulted:
        raise NotFound(_("No such rating of yours."))
    if locked.follow_up_at is not None:
        raise Conflict(_("You have already added your follow-up comment."), code="followed_up")
    text = (text or "").strip()
    if not text or len(text) > COMMENT_MAX:
        raise Invalid(
            _("Write your follow-up comment (at most %(n)d characters).") % {"n": COMMENT_MAX},
            code="invalid_follow_up",
            fields={"text": [_("Between 1 and %(n)d characters.") % {"n": COMMENT_MAX}]},
        )
    locked.follow_up, locked.follow_up_at = text, timezone.now()
    locked.save(update_fields=["follow_up", "follow_up_at"])
    return locked


# --- Satisfied by default -------------------------------------------------------------------


def default_cutoff(today: dt.date) -> dt.date:
    """The latest finishing day whose rating window has closed by ``today``: a case finished
    on it or before, still unrated, counts as satisfied."""
    days = settings.EVALUATION_DEFAULT_DAYS
    window = calendar.Window(today - dt.timedelta(days=3 * days + 40), today)
    day = today
    while window.between(day, today).days < days:
        day -= dt.timedelta(days=1)
    return day


def _unrated_cases(cutoff: dt.date) -> QuerySet[Application]:
    final_event = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return (
        Application.objects.filter(
            status__in=RATEABLE, service__isnull=False, evaluation__isnull=True
        )
        .annotate(
            finished=Coalesce("completed_at", Subquery(final_event), output_field=DateTimeField())
        )
        .filter(finished__date__lte=cutoff)
        .select_related("service")
    )


def default_unrated(today: dt.date | None = None, *, chunk: int = 1000) -> int:
    """Rate as satisfied (defaulted) every case and visit whose rating window has closed.
    Idempotent: a case rated meanwhile (by its applicant or another run) is left alone."""
    today = today or timezone.localdate()
    cutoff = default_cutoff(today)
    made = 0
    while True:
        batch = list(_unrated_cases(cutoff)[:chunk])
        tickets = list(
            Ticket.objects.filter(
                status=TicketStatus.DONE,
                evaluation__isnull=True,
                finished_at__date__lte=cutoff,
            ).select_related("window", "service")[:chunk]
        )
        if not batch and not tickets:
            return made
        rows = [
            Evaluation(
                application=app,
                channel=EvaluationChannel.ONLINE,
                level=Level.SATISFIED,
                defaulted=True,
                rater_id=app.applicant_id,
                department_id=app.service.department_id,  # type: ignore[union-attr]
                service_id=app.service_id,
                hall_id=app.hall_id,
                staff_id=_decider(app),
                created_on=today,
            )
            for app in batch
        ] + [
            Evaluation(
                ticket=ticket,
                channel=EvaluationChannel.ON_SITE,
                level=Level.SATISFIED,
                defaulted=True,
                rater_id=ticket.person_id,
                department_id=visit_department_id(ticket),
                service_id=ticket.service_id,
                hall_id=ticket.hall_id,
                window_id=ticket.window_id,
                staff_id=ticket.called_by_id,
                created_on=today,
            )
            for ticket in tickets
        ]
        # A rating made meanwhile wins: the row conflicts on the case and is skipped.
        created = Evaluation.objects.bulk_create(rows, ignore_conflicts=True)
        made += len(created)
        if len(batch) < chunk and len(tickets) < chunk:
            return made


def mine(user: User) -> QuerySet[Evaluation]:
    """The ratings the user gave (not the defaulted ones)."""
    return Evaluation.objects.filter(rater=user, defaulted=False)

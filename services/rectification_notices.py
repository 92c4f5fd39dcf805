"""Who is told of a rectification's moves (差评整改, ADR 0013), and what: in-app notices to the
department's administrators (system administrators for an appeal), and the answer to the rater
in-app and by SMS. Called by ``services.tasks.notify_rectification`` after each move commits;
idempotent per rectification and move."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from portal import notifications
from portal.models import StaffAssignment, StaffRole, User
from services.models.evaluations import Evaluation, Rectification

NOTICES = {
    "open": (
        gettext_noop("Bad rating to follow up: %(reference)s"),
        gettext_noop("%(title)s was rated “%(level)s”. Answer by %(due)s."),
    ),
    "answer": (
        gettext_noop("Your rating has been answered"),
        gettext_noop("The department answered your rating of %(title)s."),
    ),
    "appeal": (
        gettext_noop("Appeal against a rating: %(reference)s"),
        gettext_noop("The department asks to overturn a rating of %(title)s as malicious."),
    ),
    "uphold": (
        gettext_noop("Appeal refused: %(reference)s"),
        gettext_noop("The rating stands; answer the applicant by %(due)s."),
    ),
    "overturn": (
        gettext_noop("Appeal granted: %(reference)s"),
        gettext_noop("The rating is excluded from the figures."),
    ),
    "overdue": (
        gettext_noop("Rectification overdue: %(reference)s"),
        gettext_noop("The answer to the rating of %(title)s was due by %(due)s."),
    ),
}


def _department_admins(rect: Rectification) -> QuerySet[User]:
    if rect.department_id is None:
        return _system_admins()
    ids = StaffAssignment.objects.filter(
        department_id=rect.department_id, role=StaffRole.DEPARTMENT_ADMIN
    ).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True)


def _system_admins() -> QuerySet[User]:
    ids = StaffAssignment.objects.filter(role=StaffRole.SYSTEM_ADMIN).values("user_id")
    return User.objects.filter(Q(pk__in=ids) | Q(is_superuser=True), is_active=True)


def subject_title(evaluation: Evaluation) -> str:
    """What was rated, for messages: the service's name, or the visit's ticket number."""
    if evaluation.service is not None:
        return evaluation.service.display_name
    if evaluation.ticket_id is not None:
        return str(evaluation.ticket)
    return ""


def tell(rectification_id: int, action: str) -> int:
    """Notify whom one move concerns (in-app; the applicant also by SMS). Idempotent per
    rectification and move."""
    if action not in NOTICES:
        return 0
    rect = (
        Rectification.objects.select_related("evaluation__service", "evaluation__ticket")
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None:
        return 0
    evaluation = rect.evaluation
    if action == "answer":
        recipients = [evaluation.rater] if evaluation.rater_id else []
        link = rater_link(evaluation)
    elif action == "appeal":
        recipients = list(_system_admins())
        link = reverse("services:rectification_detail", args=[rect.pk])
    else:
        recipients = list(_department_admins(rect))
        link = reverse("services:rectification_detail", args=[rect.pk])
    event_id = (
        rect.events.filter(action=action).order_by("-id").values_list("pk", flat=True).first()
    )
    title, body = NOTICES[action]
    params = {
        "reference": rect.reference,
        "title": subject_title(evaluation),
        "level": str(evaluation.get_level_display()),
        "due": rect.due_date.isoformat(),
    }
    sent = 0
    for user in recipients:
        if user is None:
            continue
        sent += (
            notifications.notify(
                user,
                key=f"rectification:{rect.pk}:{action}:{event_id}",
                title=title,
                body=body,
                params=params,
                link=link,
                by_sms=action == "answer",
            )
            is not None
        )
    return sent


def rater_link(evaluation: Evaluation) -> str:
    """Where the rater reads the answer: his case page (a visit's rating has no page of its
    own for a signed-in person yet, so his notifications list)."""
    if evaluation.application_id is not None:
        return reverse("services:application_detail", args=[evaluation.application_id])
    return reverse("portal:notifications")

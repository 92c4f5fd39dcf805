"""What the applicant and the staff are told about a case, and when (sent by tasks)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop as _

from portal import notifications
from portal.models import Notification, StaffAssignment, StaffRole, User
from services import permissions
from services.models.applications import Application, ApplicationEvent, SlaLevel

TELL_APPLICANT = frozenset(
    {
        "submit",
        "accept",
        "request_supplement",
        "refuse",
        "approve",
        "deny",
        "issue_result",
        "complete",
        "withdraw",
        "close_bundle",
        "close_bundle_ungranted",
    }
)


def _text(action: str) -> tuple[str, str]:
    """The message ids of one move's notification (filled with ``_params`` when shown)."""
    texts = {
        "submit": (_("Application received"), _("We received your application for %(title)s.")),
        "accept": (
            _("Application accepted"),
            _("%(title)s was accepted, number %(number)s; due by %(due)s."),
        ),
        "request_supplement": (
            _("Please supplement your application"),
            _("%(title)s: please supply what is listed: %(items)s"),
        ),
        "refuse": (_("Application not accepted"), _("%(title)s was not accepted: %(reason)s")),
        "approve": (_("Application approved"), _("%(title)s was approved.")),
        "deny": (_("Application denied"), _("%(title)s was denied: %(reason)s")),
        "issue_result": (
            _("Your result is ready"),
            _("%(title)s: collect your result at the results window with pickup code %(code)s."),
        ),
        "complete": (_("Application completed"), _("%(title)s is completed.")),
        "withdraw": (_("Application withdrawn"), _("%(title)s was withdrawn.")),
        "close_bundle": (_("All services completed"), _("%(title)s: every service is done.")),
        "close_bundle_ungranted": (
            _("No service was granted"),
            _("%(title)s: no service of the bundle was granted; each service gives its reason."),
        ),
    }
    heading, body = texts[action]
    return heading, body


def _params(application: Application) -> dict[str, str]:
    with translation.override("en"):
        title_en = application.title()
    with translation.override("zh-hans"):
        title = application.title()
    return {
        "title": title,
        "title@en": title_en,
        "number": application.acceptance_number or "",
        "due": application.due_date.isoformat() if application.due_date else "",
        "items": "；".join(application.supplement_items),
        "reason": application.status_reason,
        "code": application.pickup_code or "",
    }


def recipient(application: Application) -> User | None:
    """Who is told: the applicant while he may still act for the case; for an organisation
    whose agent has left, its legal representative."""
    if permissions.is_applicant(application.applicant, application):
        return application.applicant
    organisation = application.organisation
    return organisation.legal_representative if organisation is not None else None


def tell_applicant(application_id: int, action: str, event_id: int | None = None) -> bool:
    """Notify the applicant of one move (the latest of that action, or ``event_id``), in-app
    and by SMS; a bundle's children stay quiet about submission (the parent speaks for them).
    Idempotent per event."""
    application = (
        Application.objects.select_related("service", "bundle", "applicant", "organisation")
        .filter(pk=application_id)
        .first()
    )
    if application is None or action not in TELL_APPLICANT:
        return False
    if action == "submit" and application.parent_id is not None:
        return False
    if action == "issue_result" and not application.pickup_code:
        return False  # an e-certificate result completes at once; "complete" says it
    events = ApplicationEvent.objects.filter(application=application, action=action)
    if event_id is not None:
        events = events.filter(pk=event_id)
    event = events.order_by("-id").values_list("pk", flat=True).first()
    person = recipient(application)
    if event is None or person is None:
        return False
    title, body = _text(action)
    sent = notifications.notify(
        person,
        key=f"application:{application.pk}:{event}",
        title=title,
        body=body,
        params=_params(application),
        link=reverse("services:application_detail", args=[application.pk]),
        by_sms=action != "submit",
        by_email=True,
    )
    return sent is not None


def untold(since: dt.datetime, limit: int = 5000) -> list[tuple[int, str, int]]:
    """(application, action, event) of recent moves whose notification was never made (its
    task was lost with the broker): the sweep sends them. Sending is idempotent per event."""
    events = list(
        ApplicationEvent.objects.filter(at__gte=since, action__in=TELL_APPLICANT)
        # the moves tell_applicant keeps quiet about on purpose
        .exclude(action="submit", application__parent__isnull=False)
        .exclude(action="issue_result", application__pickup_code__isnull=True)
        .order_by("id")
        .values_list("application_id", "action", "pk")[:limit]
    )
    keys = {f"application:{app}:{event}" for app, _action, event in events}
    sent = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    return [e for e in events if f"application:{e[0]}:{e[2]}" not in sent]


def tell_untold(since: dt.datetime) -> int:
    """Send every notification ``untold`` finds; returns how many were sent."""
    return sum(
        tell_applicant(application_id, action, event_id)
        for application_id, action, event_id in untold(since)
    )


def warn_deadlines(worse: list[tuple[int, str]]) -> int:
    """Tell whom it concerns of each case whose colour got worse; returns how many cases."""
    for application_id, level in worse:
        deadline_warning(application_id, level)
    return len(worse)


def deadline_warning(application_id: int, level: str) -> int:
    """Tell the assigned reviewer and the step's department administrators (in-app)."""
    application = Application.objects.select_related("service", "review_step").get(
        pk=application_id
    )
    step = application.review_step
    admin_ids = (
        StaffAssignment.objects.filter(
            department_id=step.department_id, role=StaffRole.DEPARTMENT_ADMIN
        ).values_list("user_id", flat=True)
        if step
        else []
    )
    recipients = set(admin_ids) | (
        {application.assigned_to_id} if application.assigned_to_id else set()
    )
    title = (
        _("Case overdue: %(number)s")
        if level == SlaLevel.OVERDUE
        else _("Case due soon: %(number)s")
    ) % {"number": application.acceptance_number}
    sent = 0
    for user in User.objects.filter(pk__in=recipients, is_active=True):
        sent += (
            notifications.notify(
                user,
                key=f"sla:{application.pk}:{level}",
                title=title,
                body=application.title(),
                link=reverse("services:workbench_case", args=[application.pk]),
            )
            is not None
        )
    return sent

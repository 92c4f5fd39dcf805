"""What the applicant and the staff are told about a case, and when (sent by tasks)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop as _

from portal import notifications
from portal.models import StaffAssignment, StaffRole
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
    }
    heading, body = texts[action]
    return heading, body


def _params(application: Application) -> dict[str, str]:
    return {
        "title": application.title(),
        "number": application.acceptance_number or "",
        "due": application.due_date.isoformat() if application.due_date else "",
        "items": "；".join(application.supplement_items),
        "reason": application.status_reason,
        "code": application.pickup_code or "",
    }


def tell_applicant(application_id: int, action: str) -> bool:
    """Notify the applicant of one move, in-app and by SMS; a bundle's children stay quiet
    about submission (the parent speaks for them). Idempotent per event."""
    application = (
        Application.objects.select_related("service", "bundle", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None or action not in TELL_APPLICANT:
        return False
    if action == "submit" and application.parent_id is not None:
        return False
    if action == "issue_result" and not application.pickup_code:
        return False  # an e-certificate result completes at once; "complete" says it
    event = (
        ApplicationEvent.objects.filter(application=application, action=action)
        .order_by("-id")
        .values_list("pk", flat=True)
        .first()
    )
    title, body = _text(action)
    sent = notifications.notify(
        application.applicant,
        key=f"application:{application.pk}:{event}",
        title=title,
        body=body,
        params=_params(application),
        link=reverse("services:application_detail", args=[application.pk]),
        by_sms=action != "submit",
        by_email=True,
    )
    return sent is not None


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
    from portal.models import User

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

"""How an application reads to its applicant: the timeline in words, what to do next, the
answers with personal numbers masked, and links to pages other parts of the portal provide."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import identity
from services import formdefs
from services.models.applications import Application, ApplicationEvent, ApplicationStatus

A = ApplicationStatus

# One line of the timeline per event action; actions staff make among themselves (claiming,
# releasing, reassigning) are not the applicant's business and are left out of his view.
EVENT_WORDS: dict[str, Promise] = {
    "create": pgettext_lazy("timeline", "Application started"),
    "submit": pgettext_lazy("timeline", "Application handed in"),
    "accept": pgettext_lazy("timeline", "Accepted by the service window"),
    "request_supplement": pgettext_lazy("timeline", "Supplement requested"),
    "refuse": pgettext_lazy("timeline", "Not accepted"),
    "resubmit": pgettext_lazy("timeline", "Supplement handed in"),
    "route": pgettext_lazy("timeline", "Sent to the reviewing department"),
    "pass_step": pgettext_lazy("timeline", "Review step passed"),
    "approve": pgettext_lazy("timeline", "Approved"),
    "deny": pgettext_lazy("timeline", "Denied"),
    "issue_result": pgettext_lazy("timeline", "Result issued"),
    "complete": pgettext_lazy("timeline", "Completed"),
    "withdraw": pgettext_lazy("timeline", "Withdrawn by the applicant"),
    "close_bundle": pgettext_lazy("timeline", "Every service of the bundle completed"),
    "close_bundle_ungranted": pgettext_lazy("timeline", "The bundle ended: no service was granted"),
    "close_bundle_withdrawn": pgettext_lazy("timeline", "Every service of the bundle withdrawn"),
    "claim": pgettext_lazy("timeline", "Taken up by a reviewer"),
    "release": pgettext_lazy("timeline", "Returned to the queue"),
    "reassign": pgettext_lazy("timeline", "Reassigned to another reviewer"),
}
STAFF_ONLY_ACTIONS = frozenset({"claim", "release", "reassign"})

NEXT_STEP: dict[str, Promise] = {
    A.DRAFT: _("Finish the form and hand it in"),
    A.SUBMITTED: _("Wait for the service window to accept it"),
    A.AWAITING_SUPPLEMENT: _("Supplement needed: see what is asked"),
    A.REVIEW_SUPPLEMENT: _("Supplement needed: see what is asked"),
    A.IN_REVIEW: _("Being reviewed: nothing to do"),
    A.APPROVED: _("Approved: the result is being issued"),
    A.RESULT_ISSUED: _("Collect the result at the results window"),
}


@dataclass(frozen=True)
class TimelineLine:
    event: ApplicationEvent
    words: str
    step: str
    items: list[str]  # what a supplement request asked for


def timeline(events: Iterable[ApplicationEvent], *, for_applicant: bool) -> list[TimelineLine]:
    lines = []
    for event in events:
        if for_applicant and event.action in STAFF_ONLY_ACTIONS:
            continue
        words = EVENT_WORDS.get(event.action)
        detail = event.detail if isinstance(event.detail, dict) else {}
        items = detail.get("items") if event.action == "request_supplement" else None
        lines.append(
            TimelineLine(
                event,
                str(words) if words else event.action,
                str(detail.get("step") or ""),
                [str(i) for i in items] if isinstance(items, list) else [],
            )
        )
    return lines


def next_step(application: Application) -> str:
    if application.bundle_id and application.status == A.SUBMITTED:
        # The parent stays "submitted" while its children are taken in and reviewed.
        return str(_("Each service is handled by its own department"))
    words = NEXT_STEP.get(application.status)
    if application.status == A.RESULT_ISSUED and not application.pickup_code:
        return ""
    return str(words) if words else ""


@dataclass(frozen=True)
class AnswerRow:
    key: str
    label: str
    value: str


def answer_rows(definition: Mapping[str, Any], answers: Mapping[str, Any]) -> list[AnswerRow]:
    """Each question with its answer as the applicant gave it; ID and mobile numbers masked,
    so a page left open on a shared screen does not show them whole."""
    rows = []
    for spec in definition.get("fields", []):
        key = spec["key"]
        if key not in answers or answers[key] in (None, ""):
            continue
        rows.append(AnswerRow(key, formdefs.localised(spec, "label"), _shown(spec, answers[key])))
    return rows


def _shown(spec: Mapping[str, Any], value: Any) -> str:
    kind = spec.get("type")
    if kind == "id_number":
        return identity.mask_id_number(str(value))
    if kind == "phone":
        return identity.mask_phone(str(value))
    if kind == "boolean":
        truth = value is True or str(value).lower() in ("yes", "true", "1", "on", "是")
        return str(_("Yes") if truth else _("No"))
    if kind == "choice":
        for choice in spec.get("rules", {}).get("choices", []):
            if str(choice.get("value")) == str(value):
                return formdefs.localised(choice, "label")
    return str(value)


def optional_url(name: str, *args: Any) -> str:
    """The URL of a page another part of the portal may not provide yet, or ""."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def intake_notice(events: Iterable[ApplicationEvent]) -> Mapping[str, Any] | None:
    """The written notice of the latest refusal or supplement request at intake (the document
    services.documents.notice prints), as a link with its title; None if there is none."""
    from services.documents import NOTICE_ACTIONS

    given = [e for e in events if e.action in NOTICE_ACTIONS and e.from_status == "submitted"]
    if not given:
        return None
    latest = max(given, key=lambda e: (e.at, e.pk))
    title = (
        _("Notice of non-acceptance")
        if latest.action == "refuse"
        else _("One-time notice of materials to supplement")
    )
    return {"url": optional_url("services:notice", latest.application_id), "title": title}

"""The department's rectification pages (差评整改), under /staff/ so that a second factor guards
them: the list (open, overdue, appealed, answered, closed), one rectification with its rating,
history and the form of each move the reader may make; system administrators decide appeals
here too. Each move validates a form and calls one function of services.rectification; its
refusals become messages (RefusalMiddleware)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from portal import roles
from portal.auth import signed_in_user
from portal.errors import Invalid
from portal.models import User
from services import evaluation_selectors as selectors
from services import rating, rectification, rectification_notices
from services.forms.evaluations import MOVE_FORMS
from services.models.evaluations import Rectification

PAGE_SIZE = 25
TABS = [
    ("open", pgettext_lazy("rectification tab", "To do")),
    ("overdue", pgettext_lazy("rectification tab", "Overdue")),
    ("appealed", pgettext_lazy("rectification tab", "Appealed")),
    ("answered", pgettext_lazy("rectification tab", "Awaiting the applicant")),
    ("closed", pgettext_lazy("rectification tab", "Closed")),
    ("all", pgettext_lazy("rectification tab", "All")),
]
MOVE_DONE = {
    "investigate": gettext_lazy("The investigation has started."),
    "classify": gettext_lazy("The complaint is classified."),
    "act": gettext_lazy("What was done is recorded."),
    "call_back": gettext_lazy("The call-back is recorded."),
    "answer": gettext_lazy("The applicant has been sent the answer."),
    "appeal": gettext_lazy("The appeal has been sent to the system administrators."),
    "uphold": gettext_lazy("The rating stands; the department has been told."),
    "overturn": gettext_lazy("The rating is overturned and left out of the figures."),
}


def _staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not roles.is_staff_member(user):
        raise PermissionDenied(_("This page is for staff."))
    return user


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    show = request.GET.get("show", "open")
    if show not in selectors.LIST_FILTERS:
        show = "open"
    visible = selectors.visible_to(user)
    rows = selectors.filtered(visible, show).select_related("appeal")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "tabs": TABS,
        "show": show,
        "page": page,
        "rows": list(page.object_list),
        "overdue": selectors.filtered(visible, "overdue").count(),
        "appeals": selectors.pending_appeals(user).count(),
        "query_string": f"show={show}",
    }
    return render(request, "services/rectifications/rectification_list.html", context)


def _moves_for(user: User, rect: Rectification) -> list[str]:
    """The moves the table allows now that this reader may make."""
    return [
        action
        for (status, action) in rectification.MOVES
        if status == rect.status
        and action in MOVE_FORMS
        and rectification.ACTORS[action](user, rect)
    ]


def _detail(
    request: HttpRequest,
    rect: Rectification,
    *,
    bound: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    moves = _moves_for(user, rect)
    move_forms = []
    for action in moves:
        form = bound[1] if bound and bound[0] == action else MOVE_FORMS[action](prefix=action)
        move_forms.append(
            {"action": action, "label": rectification.ACTION_WORDS[action], "form": form}
        )
    evaluation = rect.evaluation
    events = list(rect.events.select_related("actor"))
    for event in events:
        event.words = rectification.ACTION_WORDS.get(event.action, event.action)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "rect": rect,
        "evaluation": evaluation,
        "title": rectification_notices.subject_title(evaluation),
        "tags": [rating.TAGS[tag] for tag in evaluation.tags if tag in rating.TAGS],
        "events": events,
        "appeal": getattr(rect, "appeal", None),
        "move_forms": move_forms,
        "rater_phone": evaluation.rater.masked_phone if evaluation.rater else "",
        "case_url": _case_url(user, rect),
    }
    return render(
        request, "services/rectifications/rectification_detail.html", context, status=status
    )


def _case_url(user: User, rect: Rectification) -> str:
    application_id = rect.evaluation.application_id
    if application_id is None or not rectification.handles(user, rect):
        return ""
    return reverse("services:workbench_case", args=[application_id])


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    return _detail(request, selectors.visible_rectification(user, pk))


@login_required
@require_POST
def rectification_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _staff(request)
    rect = selectors.visible_rectification(user, pk)
    if action not in MOVE_FORMS:
        raise Http404
    form = MOVE_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        return _detail(request, rect, bound=(action, form), status=400)
    data = form.cleaned_data
    calls = {
        "investigate": lambda: rectification.investigate(rect, by=user, note=data["note"]),
        "classify": lambda: rectification.classify(
            rect,
            by=user,
            classification=data["classification"],
            finding=data["finding"],
            due_date=data.get("due_date"),
        ),
        "act": lambda: rectification.act(rect, by=user, action_taken=data["action_taken"]),
        "call_back": lambda: rectification.call_back(rect, by=user, note=data["note"]),
        "answer": lambda: rectification.answer(rect, by=user, text=data["text"]),
        "appeal": lambda: rectification.appeal(rect, by=user, reason=data["reason"]),
        "uphold": lambda: rectification.uphold(rect, by=user, note=data["note"]),
        "overturn": lambda: rectification.overturn(rect, by=user, note=data["note"]),
    }
    try:
        calls[action]()
    except Invalid as refusal:
        for name, problems in refusal.fields.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, str(problem))
        if not refusal.fields:
            form.add_error(None, refusal.message)
        return _detail(request, rect, bound=(action, form), status=400)
    messages.success(request, MOVE_DONE[action])
    return redirect("services:rectification_detail", rect.pk)

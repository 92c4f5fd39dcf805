"""The rating panel of a case page (templates/services/evaluations/_rate.html)."""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import User
from services import evaluation_selectors, permissions, rating
from services.forms.evaluations import AnswerResponseForm, FollowUpForm, RatingForm
from services.models.applications import Application

register = template.Library()


@register.simple_tag
def rating_panel(application: Application, user: User) -> dict[str, Any]:
    """What the applicant sees of his case's rating: the form while he may rate, else his
    rating, its follow-up and, for a bad one, the department's answer (two queries at most)."""
    if application.status not in rating.RATEABLE or application.service_id is None:
        return {}
    if not permissions.is_applicant(user, application):
        return {}
    evaluation = evaluation_selectors.of_application(application)
    if evaluation is None:
        finished = rating.finished_at(application)
        return {
            "form": RatingForm(),
            "closes_on": rating.closes_on(finished) if finished else None,
        }
    rect = getattr(evaluation, "rectification", None)
    return {
        "evaluation": evaluation,
        "tags": [rating.TAGS[tag] for tag in evaluation.tags if tag in rating.TAGS],
        "follow_up_form": FollowUpForm()
        if evaluation.follow_up_at is None
        and not evaluation.defaulted
        and evaluation.rater_id == user.pk
        else None,
        "rect": rect,
        "response_form": AnswerResponseForm()
        if rect is not None and rect.status == "answered" and evaluation.rater_id == user.pk
        else None,
    }


@register.simple_tag
def overdue_rectifications(user: User) -> int:
    """How many rectifications the user answers for are overdue (for the workbench's notice)."""
    if not user.is_authenticated:
        return 0
    return evaluation_selectors.overdue_count(user)

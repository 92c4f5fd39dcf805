from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from portal.roles import is_system_admin
from services import calendar

register = template.Library()


@register.simple_tag(takes_context=True)
def missing_calendar_year(context: dict[str, Any]) -> str:
    """The warning for system administrators when next year's calendar is missing, or ''."""
    request = context.get("request")
    if request is None or not is_system_admin(request.user):
        return ""
    missing = calendar.missing_next_year(timezone.localdate())
    return calendar.missing_year_message(missing) if missing else ""

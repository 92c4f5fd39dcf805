"""The header's "acting for" line: whom the user acts for, and a switch between them."""

from typing import Any

from django import template

from portal import organisations

register = template.Library()


@register.inclusion_tag("includes/acting_for.html", takes_context=True)
def acting_for(context: dict[str, Any]) -> dict[str, Any]:
    """Nothing for someone who may act for no organisation; one query for the list otherwise."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"choices": []}
    return {
        "choices": organisations.acting_choices(request),
        "acting": organisations.acting_organisation(request),
        "user": request.user,
        "here": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }

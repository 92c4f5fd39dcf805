"""The header's count of unread in-app notifications (站内消息)."""

from typing import Any

from django import template

from portal import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    """One COUNT for a signed-in visitor; nothing for anyone else."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return notifications.unread_count(user)

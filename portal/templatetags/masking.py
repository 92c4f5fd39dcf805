"""Template filters that show personal data masked."""

from django import template

from portal import identity

register = template.Library()


@register.filter
def mask_phone(value: str | None) -> str:
    return identity.mask_phone(value or "")


@register.filter
def mask_id_number(value: str | None) -> str:
    return identity.mask_id_number(value or "")

"""Writing the audit log. Every read of another person's personal data goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from portal.models import AuditAction, AuditEvent, User


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: AuditAction | str,
    *,
    actor: User | None,
    subject: User | None = None,
    fields: Iterable[str] = (),
    reason: str = "",
    request: HttpRequest | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit row. ``detail`` must never hold personal data in clear."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        subject=subject,
        fields=sorted(fields),
        reason=reason[:200],
        client_address=client_address(request),
        detail=detail,
    )


def personal_data_viewed(
    *,
    actor: User,
    subject: User,
    fields: Iterable[str],
    reason: str,
    request: HttpRequest | None = None,
    **detail: Any,
) -> None:
    """Log a read of someone else's personal data; reading one's own data is not logged."""
    if actor.pk == subject.pk:
        return
    record(
        AuditAction.PERSONAL_DATA_VIEWED,
        actor=actor,
        subject=subject,
        fields=fields,
        reason=reason,
        request=request,
        **detail,
    )

"""Telling people: an in-app list, with copies by SMS and e-mail through the pluggable senders.

Callers (tasks) pass a ``key`` naming the event; the same key twice sends nothing the second
time, so a redelivered task never texts twice. ``title`` and ``body`` are message ids (mark them
with gettext_noop) filled with ``params``: the in-app list shows them in the reader's language;
the SMS and e-mail copies go out in the portal's language (Chinese first).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import translation

from portal import sms
from portal.models import Notification, User

_copies_off: ContextVar[bool] = ContextVar("notification_copies_off", default=False)


@contextmanager
def in_app_only() -> Iterator[None]:
    """Within: notifications go to the in-app list only, no SMS or e-mail copies (loading
    the demo, whose console would otherwise fill with them)."""
    token = _copies_off.set(True)
    try:
        yield
    finally:
        _copies_off.reset(token)


def notify(
    user: User,
    *,
    key: str,
    title: str,
    body: str = "",
    params: dict[str, Any] | None = None,
    link: str = "",
    by_sms: bool = False,
    by_email: bool = False,
) -> Notification | None:
    """Add to the user's list and send the copies asked for; None if this key was sent."""
    if _copies_off.get():
        by_sms = by_email = False
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                key=key[:100],
                title=title[:200],
                body=body,
                params=params or {},
                link=link[:300],
            )
            with translation.override(settings.LANGUAGE_CODE):
                heading, text = notification.rendered_title(), notification.rendered_body()
            if by_sms and user.phone and user.phone_verified:
                sms.queue(user.phone, f"{heading} {text}".strip()[:500])
    except IntegrityError:
        return None
    if by_email and user.email:
        url = f"{settings.SITE_URL.rstrip('/')}{link}" if link else ""
        send_mail(heading, f"{text}\n\n{url}".strip(), None, [user.email], fail_silently=True)
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

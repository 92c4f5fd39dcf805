"""Telling people: an in-app list, with copies by SMS and e-mail through the pluggable senders.

Callers (tasks) pass a ``key`` naming the event; the same key twice sends nothing the second
time, so a redelivered task never texts twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from portal import sms
from portal.models import Notification, User


def notify(
    user: User,
    *,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    by_sms: bool = False,
    by_email: bool = False,
) -> Notification | None:
    """Add to the user's list and send the copies asked for; None if this key was sent."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user, key=key[:100], title=title[:200], body=body, link=link[:300]
            )
            if by_sms and user.phone and user.phone_verified:
                sms.queue(user.phone, f"{title} {body}".strip()[:500])
    except IntegrityError:
        return None
    if by_email and user.email:
        url = f"{settings.SITE_URL.rstrip('/')}{link}" if link else ""
        send_mail(title, f"{body}\n\n{url}".strip(), None, [user.email], fail_silently=True)
    return notification


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()

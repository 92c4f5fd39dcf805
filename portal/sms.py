"""Text messages: queued as a row, sent by a Celery task through a pluggable sender.

Production plugs in a gateway; the embedded default prints to the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from portal.identity import mask_phone
from portal.models import OutboundSMS


class SMSSender(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class ConsoleSMSSender:
    """Prints the message with the number masked: the embedded default and the demo."""

    def send(self, phone: str, message: str) -> None:
        print(f"[SMS → {mask_phone(phone)}] {message}", flush=True)


@dataclass
class SentSMS:
    phone: str
    message: str


outbox: list[SentSMS] = []


class LocmemSMSSender:
    """Keeps messages in ``portal.sms.outbox`` for tests, like Django's locmem mail backend."""

    def send(self, phone: str, message: str) -> None:
        outbox.append(SentSMS(phone, message))


@cache
def _sender(path: str) -> SMSSender:
    return import_string(path)()


def queue(phone: str, message: str) -> OutboundSMS:
    """Store the message and hand its id to the notify queue once the transaction commits."""
    from portal.tasks import send_sms

    sms = OutboundSMS.objects.create(phone=phone, body=message)
    transaction.on_commit(lambda: send_sms.delay(sms.pk))
    return sms


def deliver(sms_id: int) -> bool:
    """Send one queued message; safe to call twice (a sent message is not sent again)."""
    with transaction.atomic():
        sms = OutboundSMS.objects.select_for_update().filter(pk=sms_id, sent_at=None).first()
        if sms is None:
            return False
        sms.attempts += 1
        _sender(settings.SMS_SENDER).send(sms.phone, sms.body)
        sms.sent_at, sms.body = timezone.now(), ""
        sms.save(update_fields=["attempts", "sent_at", "body"])
    return True

"""The Idempotency-Key of each booking made through the API, kept with the booking it made.

The row is written in the booking's own transaction, so a key exists exactly when its booking
does: a retry after a cache flush, a restart or a lost answer still finds it (ADR 0012).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BookingKey(models.Model):
    """A booking request's key: its body's fingerprint and the answer it got, once per person."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    key = models.CharField(_("Idempotency-Key"), max_length=100)
    # SHA-256 of the request body: the same key with another body is refused.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    booking = models.ForeignKey(
        "services.Booking",
        on_delete=models.CASCADE,
        related_name="keys",
        verbose_name=_("booking"),
    )
    answer = models.JSONField(_("answer"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("booking request key")
        verbose_name_plural = _("booking request keys")
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="one_booking_key_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.key}"

"""The statistics dashboard's summary of cases (ADR 0014): per day and service, the figures
that a year-wide page would otherwise count from a million cases. Written only by
``services.case_days``; read by ``services.statistics`` with GROUP BY like any other table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import Service


class CountedDay(models.Model):
    """A day whose case figures are in ``CaseDay`` (a day without cases has no CaseDay row),
    and when they were counted; the row is also what a recount locks."""

    day = models.DateField(_("day"), unique=True)
    counted_at = models.DateTimeField(_("counted"), null=True)  # None: being counted first

    class Meta:
        verbose_name = _("counted day")
        verbose_name_plural = _("counted days")

    def __str__(self) -> str:
        return f"{self.day} ({self.counted_at:%Y-%m-%d %H:%M})"


class CaseDay(models.Model):
    """One service's case figures of one day: received, accepted and completed that day; of
    those completed, on time and the working days they took; of those received, how many were
    asked for a supplement (so far: recounted nightly)."""

    day = models.DateField(_("day"))
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    received = models.PositiveIntegerField(_("received"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    on_time = models.PositiveIntegerField(_("completed on time"), default=0)
    supplemented = models.PositiveIntegerField(_("asked for a supplement"), default=0)
    wd_n = models.PositiveIntegerField(_("completed cases with working days"), default=0)
    wd_sum = models.PositiveIntegerField(_("working days to complete, summed"), default=0)
    provisional = models.BooleanField(_("calendar provisional"), default=False)

    class Meta:
        verbose_name = _("case figures of a day")
        verbose_name_plural = _("case figures of days")
        constraints = [
            models.UniqueConstraint(fields=["day", "service"], name="one_case_day_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.service_id}"

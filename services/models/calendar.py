"""The official working-day calendar (工作日), one row per day, editable by administrators."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", _("State Council schedule (chinesecalendar)")
    ADMINISTRATOR = "admin", _("Entered by an administrator")


class CalendarDay(models.Model):
    """Whether one date is a working day: weekends, official holidays and make-up workdays (调休).

    A year counts as loaded only when every one of its days has a row; deadlines that reach a
    year without all its rows are computed on weekdays and marked provisional.
    """

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(
        _("holiday or make-up workday"),
        max_length=60,
        blank=True,
        help_text=_("For example Spring Festival, or the holiday a weekend workday makes up for."),
    )
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=CalendarSource.choices,
        default=CalendarSource.ADMINISTRATOR,
    )

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working-day calendar")

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'workday' if self.is_workday else 'rest day'}"

    def is_make_up_workday(self) -> bool:
        """A weekend day worked to make up for a holiday (调休上班)."""
        return self.is_workday and self.date.weekday() >= 5

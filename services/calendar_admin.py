"""Admin for the working-day calendar: system administrators edit days and load official years.

Every edit is audited and marks the day as entered by an administrator, so that loading the
official schedule again keeps it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.auth import signed_in_user
from portal.roles import is_system_admin
from services import calendar, maintenance, tasks
from services.models import CalendarDay
from services.models.calendar import CalendarSource


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year + 1, this_year - 4, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> Any:
        value = self.value()
        return (
            queryset.filter(date__year=int(value))
            if value and value.isascii() and value.isdigit()
            else queryset
        )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "holiday", "source"]
    list_filter = [YearFilter, "is_workday", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name"]
    actions = ["load_official_schedule"]

    def _may(self, request: HttpRequest) -> bool:
        return is_system_admin(signed_in_user(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS_ABBR[obj.date.weekday()])

    @admin.display(description=_("holiday or make-up workday"), ordering="name")
    def holiday(self, obj: CalendarDay) -> str:
        name = str(calendar.HOLIDAY_NAMES.get(obj.name, obj.name))
        if obj.is_make_up_workday():
            return str(_("%(holiday)s (make-up workday)") % {"holiday": name})
        return name or "-"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["date"] if obj else []

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        missing = calendar.missing_next_year(timezone.localdate())
        if missing:
            messages.warning(request, calendar.missing_year_message(missing))
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        obj.source = CalendarSource.ADMINISTRATOR
        super().save_model(request, obj, form, change)
        tasks.calendar_changed()
        maintenance.record_change(
            obj,
            by=signed_in_user(request),
            change="changed" if change else "created",
            fields=list(form.changed_data),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        maintenance.record_change(
            obj, by=signed_in_user(request), change="deleted", request=request
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    @admin.action(description=_("Load the State Council schedule for the selected days' years"))
    def load_official_schedule(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for year in sorted({day.year for day in queryset.values_list("date", flat=True)}):
            try:
                written = calendar.load_official_year(year)
                tasks.calendar_changed()
            except LookupError:
                messages.error(
                    request,
                    _("The installed calendar package has no schedule for %(year)s yet.")
                    % {"year": year},
                )
                continue
            maintenance.record_change(
                CalendarDay.objects.filter(date__year=year).first() or CalendarDay(),
                by=signed_in_user(request),
                change="loaded",
                request=request,
                year=year,
            )
            messages.success(
                request,
                ngettext(
                    "%(count)d day of %(year)s loaded.",
                    "%(count)d days of %(year)s loaded.",
                    written,
                )
                % {"count": written, "year": year},
            )

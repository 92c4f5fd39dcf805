"""Admin for halls' queues, windows, slot templates and slots (system administrators).

Bookings and tickets are read-only here: they change only through ``services.booking`` and
``services.queueing``; closing slots is an action that cancels their bookings and tells each
holder.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import AuditedReads, ReadOnlyForSystemAdmins, SystemAdminOnly
from portal.auth import signed_in_user
from portal.models import User
from services import booking, booking_rules, slots
from services.models.reservations import (
    Booking,
    BookingBlock,
    Slot,
    SlotTemplate,
    Ticket,
    Window,
    WindowGroup,
    WindowShift,
)


@admin.register(WindowGroup)
class WindowGroupAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["letter", "name", "hall", "takes_results", "order"]
    list_filter = ["hall"]
    filter_horizontal = ["services", "categories"]


@admin.register(Window)
class WindowAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["number", "hall", "kind", "department", "is_open"]
    list_filter = ["hall", "kind", "is_open"]
    filter_horizontal = ["groups"]

    # A window opened, closed or serving other queues changes the places of future slots.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        slots.refresh_capacity(form.instance.hall)

    def delete_model(self, request: HttpRequest, obj: Window) -> None:
        hall = obj.hall
        super().delete_model(request, obj)
        slots.refresh_capacity(hall)


@admin.register(WindowShift)
class WindowShiftAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["day", "window", "clerk"]
    list_filter = ["day", "window__hall"]
    raw_id_fields = ["clerk"]


@admin.register(SlotTemplate)
class SlotTemplateAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["hall", "starts_at", "ends_at", "minutes", "places_per_window", "is_active"]
    list_filter = ["hall", "is_active"]
    actions = ["make_slots"]

    @admin.action(description=_("Make the slots of the booking window for these halls"))
    def make_slots(self, request: HttpRequest, queryset: QuerySet[SlotTemplate]) -> None:
        today = timezone.localdate()
        last = today + dt.timedelta(days=booking_rules.rules().days_ahead)
        made = sum(
            slots.generate_slots(hall, first=today, last=last)
            for hall in {t.hall for t in queryset.select_related("hall")}
        )
        self.message_user(
            request,
            ngettext("%(count)d slot made.", "%(count)d slots made.", made) % {"count": made},
        )


@admin.register(Slot)
class SlotAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ["starts_at", "group", "hall", "capacity", "booked", "closed_at"]
    list_filter = ["hall", "day"]
    date_hierarchy = "day"
    readonly_fields = ["booked", "closed_at", "closed_reason"]
    actions = ["close_slots"]

    @admin.action(description=_("Close these slots and cancel their bookings"))
    def close_slots(self, request: HttpRequest, queryset: QuerySet[Slot]) -> None:
        by = signed_in_user(request)
        reason = str(_("closed by the hall"))
        cancelled = sum(booking.close_slot(slot, by=by, reason=reason) for slot in queryset)
        self.message_user(
            request,
            ngettext(
                "Closed; %(count)d booking cancelled and its holder told.",
                "Closed; %(count)d bookings cancelled and their holders told.",
                cancelled,
            )
            % {"count": cancelled},
            messages.SUCCESS,
        )


@admin.register(Booking)
class BookingAdmin(ReadOnlyForSystemAdmins, admin.ModelAdmin):
    list_display = ["code", "day", "hall", "service", "bundle", "status"]
    list_filter = ["status", "hall", "day"]
    search_fields = ["code"]
    list_select_related = ["hall", "service", "bundle"]
    exclude = ["person"]  # the holder's name and contact are not the admin's business


@admin.register(Ticket)
class TicketAdmin(ReadOnlyForSystemAdmins, admin.ModelAdmin):
    list_display = ["number", "day", "hall", "group", "status", "priority", "window"]
    list_filter = ["status", "hall", "day"]
    list_select_related = ["hall", "group", "window"]
    exclude = ["person"]


@admin.register(BookingBlock)
class BookingBlockAdmin(AuditedReads, SystemAdminOnly, admin.ModelAdmin):
    read_fields = ("person", "reason")
    list_display = ["person", "starts_at", "until", "lifted_at"]
    readonly_fields = ["person", "starts_at", "until", "reason", "lifted_at", "lifted_by"]
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def subject_of(self, obj: BookingBlock) -> User:
        return obj.person

    @admin.action(description=_("Lift these blocks"))
    def lift(self, request: HttpRequest, queryset: QuerySet[BookingBlock]) -> None:
        by = signed_in_user(request)
        for block in queryset:
            booking_rules.lift_block(block, by=by)
        self.message_user(request, _("Lifted."), messages.SUCCESS)

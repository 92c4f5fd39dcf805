"""Admin for ratings and rectifications: read-only for system administrators. Ratings never
change and rectifications change only through ``services.rectification`` (the staff pages at
/staff/rectifications/), so the admin only lists and searches them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.auth import signed_in_user
from portal.roles import is_system_admin
from services.models.evaluations import Appeal, Evaluation, Rectification, RectificationEvent


class ReadOnlyForSystemAdmins:
    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(signed_in_user(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(signed_in_user(request))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    has_change_permission = has_delete_permission = has_add_permission


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyForSystemAdmins, admin.ModelAdmin):  # type: ignore[misc]
    list_display = [
        "created_on",
        "channel",
        "level",
        "department",
        "service",
        "hall",
        "defaulted",
        "excluded",
    ]
    list_filter = ["channel", "level", "defaulted", "excluded", "department"]
    date_hierarchy = "created_on"
    list_select_related = ["department", "service", "hall"]
    # The rater is not shown: the figures need no names, and a complaint is answered on the
    # staff pages, where reads are scoped to the department.
    exclude = ["rater"]


class RectificationEventInline(admin.TabularInline):
    model = RectificationEvent
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyForSystemAdmins, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["__str__", "department", "status", "due_date", "overdue", "answered_at"]
    list_filter = ["status", "overdue", "classification", "department"]
    list_select_related = ["department"]
    inlines = [RectificationEventInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyForSystemAdmins, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["rectification", "decision", "made_at", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["rectification"]

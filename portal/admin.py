"""Admin: departments, halls, staff roles (audited), accounts with personal data masked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from portal import audit, roles
from portal.auth import signed_in_user
from portal.models import (
    AuditEvent,
    Department,
    Organisation,
    OrganisationAgent,
    PersonProfile,
    ServiceCategory,
    ServiceHall,
    StaffAssignment,
    StaffRole,
    User,
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "area_code", "is_active"]
    search_fields = ["name", "code"]


@admin.register(ServiceHall)
class ServiceHallAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "area_code"]
    search_fields = ["name"]


class StaffAssignmentInline(admin.TabularInline):
    model = StaffAssignment
    extra = 0
    fields = readonly_fields = ("role", "department", "service_hall")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # roles are granted on the staff role page, where each grant is audited


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["name", "mobile", "email", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email"]
    fields = ["email", "mobile", "phone_verified", "is_active", "date_joined", "last_login"]
    readonly_fields = ["mobile", "date_joined", "last_login"]
    inlines = [StaffAssignmentInline]
    list_select_related = ["person_profile"]

    @admin.display(description=_("name"))
    def name(self, obj: User) -> str:
        return obj.display_name

    @admin.display(description=_("mobile number"))
    def mobile(self, obj: User) -> str:
        return obj.masked_phone


@admin.register(PersonProfile)
class PersonProfileAdmin(admin.ModelAdmin):
    list_display = ["__str__", "realname_level", "realname_verified_at"]
    list_filter = ["realname_level"]
    fields = readonly_fields = (
        "legal_name",
        "id_number_masked",
        "realname_level",
        "realname_verified_at",
        "realname_verified_by",
    )
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        profile = self.get_object(request, object_id)
        if profile is not None:
            audit.personal_data_viewed(
                actor=signed_in_user(request),
                subject=profile.user,
                fields=["legal_name", "id_number", "realname_level"],
                reason="admin",
                request=request,
            )
        return super().change_view(request, object_id, form_url, extra_context)


class OrganisationAgentInline(admin.TabularInline):
    model = OrganisationAgent
    fk_name = "organisation"
    extra = 0
    fields = readonly_fields = ("user", "authorised_at", "revoked_at")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "created_at", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "uscc"]
    # Confirmation happens only at a window, where it is audited; the code it confirmed
    # is fixed with it (a changed USCC would carry the confirmation to another organisation).
    readonly_fields = ["legal_representative", "verified_at", "verified_by"]
    inlines = [OrganisationAgentInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "uscc"] if obj is not None else fields


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name"]


class StaffAssignmentForm(forms.ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["user", "role", "department", "service_hall", "categories"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == StaffRole.REVIEWER and not data.get("categories"):
            self.add_error("categories", _("A reviewer reviews at least one service category."))
        return data


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    form = StaffAssignmentForm
    list_display = ["user", "role", "department", "service_hall", "created_at"]
    list_filter = ["role", "department", "service_hall"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["categories"]
    list_select_related = ["user__person_profile", "department", "service_hall"]

    def save_model(
        self, request: HttpRequest, obj: StaffAssignment, form: Any, change: bool
    ) -> None:
        roles.grant(
            obj,
            by=signed_in_user(request),
            categories=form.cleaned_data.get("categories"),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: StaffAssignment) -> None:
        roles.revoke(obj, by=signed_in_user(request), request=request)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            roles.revoke(obj, by=signed_in_user(request), request=request)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "subject", "fields", "reason"]
    list_filter = ["action"]
    date_hierarchy = "at"
    list_select_related = ["actor__person_profile", "subject__person_profile"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

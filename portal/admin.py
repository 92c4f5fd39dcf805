"""Admin: departments, halls, staff roles (audited), accounts with personal data masked.

Every page that shows someone else's personal data writes one read row (ADR 0008), and only
after the permission check: change pages from ``render_change_form``, which Django reaches
only once the user may see the object, lists from the rendered change list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.idp.oidc.admin import ClientAdmin, TokenAdmin
from allauth.idp.oidc.models import Client, Token
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from portal import admin_labels, audit, roles
from portal.admin_labels import LabelledAdmin
from portal.auth import signed_in_user
from portal.models import (
    AuditAction,
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


class SystemAdminOnly:
    """An admin page only system administrators see and use."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles.is_system_admin(signed_in_user(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_system_admin(signed_in_user(request))

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class ReadOnlyForSystemAdmins(SystemAdminOnly):
    """Seen by system administrators only; nobody adds, changes or deletes here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedReads:
    """For the admin of a model that holds personal data: which fields its pages show, and
    whose they are. ``list_fields`` only where the change list shows some in clear."""

    read_fields: tuple[str, ...] = ()
    list_fields: tuple[str, ...] = ()

    def subject_of(self, obj: Any) -> User | None:
        return obj.user  # type: ignore[no-any-return]

    def audit_read(self, request: HttpRequest, obj: Any) -> None:
        subject = self.subject_of(obj)
        if subject is not None:
            audit.personal_data_viewed(
                actor=signed_in_user(request),
                subject=subject,
                fields=self.read_fields,
                reason="admin",
                request=request,
                model=obj._meta.label_lower,
                object_id=obj.pk,
            )

    def audit_list(self, request: HttpRequest, shown: Iterable[Any]) -> None:
        actor = signed_in_user(request)
        subjects = {s.pk for s in map(self.subject_of, shown) if s is not None} - {actor.pk}
        if self.list_fields and subjects:
            audit.record(
                AuditAction.PERSONAL_DATA_VIEWED,
                actor=actor,
                fields=self.list_fields,
                reason="admin",
                request=request,
                subject_ids=sorted(subjects),
            )

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if (obj := kwargs.get("obj")) is not None:
            self.audit_read(request, obj)
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", None) or {}
        if isinstance(response, TemplateResponse) and "cl" in changelist:
            self.audit_list(request, changelist["cl"].result_list)
        return response  # type: ignore[no-any-return]


class AuditedChanges:
    """For the admin of a model that decides who may see or prove something: every save and
    delete writes ``change_action`` naming the administrator, in the admin's transaction."""

    change_action: AuditAction

    def change_detail(self, obj: Any) -> dict[str, Any]:
        return {}

    def changed_for(self, obj: Any) -> User | None:
        """The account whose powers the change touches, if one."""
        return None

    def _audit_change(
        self, request: HttpRequest, obj: Any, change: str, fields: Iterable[str] = ()
    ) -> None:
        audit.record(
            self.change_action,
            actor=signed_in_user(request),
            subject=self.changed_for(obj),
            fields=fields,
            request=request,
            change=change,
            object_id=obj.pk,
            **self.change_detail(obj),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        fields = list(form.changed_data)
        fields += [f.model._meta.model_name for f in formsets if f.has_changed()]
        self._audit_change(request, form.instance, "changed" if change else "created", fields)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self._audit_change(request, obj, "deleted")
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():  # the bulk action runs outside the admin's transaction
            for obj in queryset:
                self.delete_model(request, obj)


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
class UserAdmin(AuditedReads, admin.ModelAdmin):
    read_fields = list_fields = ("email",)

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

    def subject_of(self, obj: User) -> User:
        return obj


@admin.register(PersonProfile)
class PersonProfileAdmin(AuditedReads, admin.ModelAdmin):
    list_display = ["__str__", "realname_level", "realname_verified_at"]
    list_filter = ["realname_level"]
    fields = readonly_fields = (
        "legal_name",
        "id_number_masked",
        "realname_level",
        "realname_verified_at",
        "realname_verified_by",
    )
    read_fields = ("legal_name", "id_number", "realname_level")
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class OrganisationAgentInline(admin.TabularInline):
    model = OrganisationAgent
    fk_name = "organisation"
    extra = 0
    fields = readonly_fields = ("user", "authorised_at", "revoked_at")
    can_delete = False  # the representative authorises and revokes agents, audited

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedReads, AuditedChanges, admin.ModelAdmin):
    list_display = ["name", "uscc", "created_at", "verified_at"]
    list_filter = [("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "uscc"]
    # Confirmation happens only at a window, where it is audited; the code it confirmed
    # is fixed with it (a changed USCC would carry the confirmation to another organisation).
    readonly_fields = ["legal_representative", "verified_at", "verified_by"]
    inlines = [OrganisationAgentInline]
    read_fields = ("legal_representative", "agents")
    change_action = AuditAction.ORGANISATION_CHANGED

    def subject_of(self, obj: Organisation) -> User:
        return obj.legal_representative

    def changed_for(self, obj: Organisation) -> User | None:
        return obj.legal_representative

    def change_detail(self, obj: Organisation) -> dict[str, Any]:
        return {"organisation_id": obj.pk, "uscc": obj.uscc}

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


# Reasons written as codes (certificates.consents.ISSUER_ADMINISTRATION), shown in the reader's
# language; rows written before the code kept the English sentence.
REASON_LABELS = {
    "issuer_administration": _("Administration by the issuing department"),
    "issuing department's administration": _("Administration by the issuing department"),
}


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "subject", "fields", "shown_reason"]
    list_filter = ["action"]
    date_hierarchy = "at"
    list_select_related = ["actor__person_profile", "subject__person_profile"]

    @admin.display(description=_("why"), ordering="reason")
    def shown_reason(self, obj: AuditEvent) -> str:
        return str(REASON_LABELS.get(obj.reason, obj.reason))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# allauth's own admin pages, audited: a person's e-mail addresses, sessions (address and
# browser), second factors and OpenID tokens.
for _model in (EmailAddress, UserSession, Authenticator, Token, Client):
    admin.site.unregister(_model)
admin_labels.name_models()


@admin.register(EmailAddress)
class AuditedEmailAddressAdmin(AuditedReads, EmailAddressAdmin):
    read_fields = list_fields = ("email",)


@admin.register(UserSession)
class AuditedUserSessionAdmin(AuditedReads, LabelledAdmin, UserSessionAdmin):
    read_fields = ("ip", "user_agent", "session_data")
    list_fields = ("ip", "user_agent")


@admin.register(Authenticator)
class AuditedAuthenticatorAdmin(AuditedReads, LabelledAdmin, AuthenticatorAdmin):
    read_fields = ("second_factor",)


@admin.register(Token)
class AuditedTokenAdmin(AuditedReads, LabelledAdmin, TokenAdmin):
    read_fields = ("oidc_token",)


@admin.register(Client)
class LabelledClientAdmin(LabelledAdmin, ClientAdmin):
    """A department system's OpenID client: allauth's form, with our labels."""

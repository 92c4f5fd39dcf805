"""Admin: certificate types and issuing systems are edited; certificates and keys only read
(state changes go through certificates.issuing, keys through certificates.keys); opening a
certificate is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from certificates import consents
from certificates.models import (
    Certificate,
    CertificateEvent,
    CertificateType,
    IssuingSystem,
    SigningKey,
)
from portal.admin import AuditedReads
from portal.auth import signed_in_user


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "holder_kind", "validity_rule", "defining_department"]
    search_fields = ["name", "code"]
    filter_horizontal = ["issuing_departments"]


@admin.register(IssuingSystem)
class IssuingSystemAdmin(admin.ModelAdmin):
    list_display = ["client", "department"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "department", "alg", "created_at", "retired_at"]
    fields = ["kid", "department", "alg", "public_key", "created_at", "retired_at"]


class CertificateEventInline(admin.TabularInline):
    model = CertificateEvent
    extra = 0
    fields = readonly_fields = ("at", "action", "from_status", "to_status", "actor", "reason")
    can_delete = False


@admin.register(Certificate)
class CertificateAdmin(AuditedReads, ReadOnlyAdmin):
    list_display = ["identifier", "type", "issuer", "holder_code_masked", "status", "issued_on"]
    list_filter = ["status", "type"]
    search_fields = ["identifier", "number"]
    list_select_related = ["type", "issuer"]
    fields = [
        "identifier",
        "number",
        "type",
        "issuer",
        "holder_code_type",
        "holder_code_masked",
        "issued_on",
        "valid_from",
        "valid_until",
        "status",
        "status_reason",
        "version",
        "previous",
        "key",
    ]
    inlines = [CertificateEventInline]

    def audit_read(self, request: HttpRequest, obj: Certificate) -> None:
        # Audited like any read of someone else's certificate; an administrator reads for
        # no department, so nothing goes into the holder's use log.
        consents.record_read(obj, reader=signed_in_user(request), reason="admin", request=request)

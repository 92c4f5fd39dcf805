"""Admin: certificate types and issuing systems are edited, each change audited; certificates
and keys only read (state changes go through certificates.issuing, keys through
certificates.keys); opening a certificate is audited."""

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
from portal.admin import AuditedChanges, AuditedReads
from portal.auth import signed_in_user
from portal.models import AuditAction


@admin.register(CertificateType)
class CertificateTypeAdmin(AuditedChanges, admin.ModelAdmin):
    list_display = ["name", "code", "holder_kind", "validity_rule", "defining_department"]
    search_fields = ["name", "code"]
    filter_horizontal = ["issuing_departments"]
    # Which departments may issue a type, and what its face shows, are audited (ADR 0008).
    change_action = AuditAction.CERTIFICATE_TYPE_CHANGED

    def change_detail(self, obj: CertificateType) -> dict[str, Any]:
        return {"code": obj.code}


@admin.register(IssuingSystem)
class IssuingSystemAdmin(AuditedChanges, admin.ModelAdmin):
    list_display = ["client", "department"]
    # A system linked to a department issues in its name.
    change_action = AuditAction.ISSUING_SYSTEM_CHANGED

    def change_detail(self, obj: IssuingSystem) -> dict[str, Any]:
        return {"client_id": obj.client_id, "department_id": obj.department_id}


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

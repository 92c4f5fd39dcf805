"""Admin for the catalogue: department administrators see and change only their own
departments' services; bundles are for system administrators. Every change is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin import SystemAdminOnly
from portal.auth import signed_in_user
from portal.models import Department
from services import bundles, maintenance
from services.models import (
    Bundle,
    BundleMember,
    MaterialRequirement,
    ReviewStep,
    Service,
)


class DepartmentScoped:
    """Permissions from the staff roles instead of Django's model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return maintenance.may_maintain_catalogue(signed_in_user(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        service = obj if isinstance(obj, Service) else getattr(obj, "service", None)
        department = service.department_id if service is not None else None
        return maintenance.may_maintain_department(signed_in_user(request), department)


class MaterialInline(DepartmentScoped, admin.TabularInline):
    model = MaterialRequirement
    extra = 0
    fields = [
        "order",
        "key",
        "name",
        "requirement",
        "condition",
        "form",
        "copies",
        "file_types",
        "max_size_mb",
        "blank_form",
        "sample",
        "certificate_type",
    ]


class ReviewStepInline(DepartmentScoped, admin.TabularInline):
    model = ReviewStep
    extra = 0
    fields = ["order", "name", "department", "role"]


class ServiceAdminForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = [
            *("code", "name", "name_en", "description", "department", "category", "kind"),
            *("applicant_kind", "is_published", "statutory_limit_days", "promised_limit_days"),
            *("visits_needed", "online", "bookable", "fee", "halls", "conditions"),
            *("legal_basis", "result_kind", "result_name", "result_certificate_type"),
            "form_definition",
        ]
        widgets = {"form_definition": forms.Textarea(attrs={"rows": 16, "class": "mono"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk and "form_definition" in data and not self.errors:
            self._check_bundles(data["form_definition"])
        return data

    def _check_bundles(self, definition: dict[str, Any]) -> None:
        """A new form must still merge into every bundle the service belongs to."""
        edited = Service(pk=self.instance.pk, code=self.instance.code, form_definition=definition)
        edited._prefetched_objects_cache = {  # type: ignore[attr-defined]
            "materials": self.instance.materials.all()
        }
        containing = Bundle.objects.filter(members__service=self.instance).prefetch_related(
            "members__service__materials"
        )
        for bundle in containing:
            members = [
                bundles.Member(edited if m.service_id == edited.pk else m.service, m.required)
                for m in bundle.members.all()
            ]
            try:
                bundles.merge(members)
            except ValidationError as exc:
                self.add_error(
                    "form_definition",
                    [
                        _("In the bundle “%(bundle)s”: %(problem)s")
                        % {"bundle": bundle.name, "problem": message}
                        for message in exc.messages
                    ],
                )


@admin.register(Service)
class ServiceAdmin(DepartmentScoped, admin.ModelAdmin):
    form = ServiceAdminForm
    list_display = ["name", "code", "department", "category", "promised_limit_days", "is_published"]
    list_filter = ["is_published", "applicant_kind", "kind", "category"]
    search_fields = ["name", "code", "name_en"]
    list_select_related = ["department", "category"]
    filter_horizontal = ["halls"]
    inlines = [MaterialInline, ReviewStepInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "name_en",
                    "description",
                    "department",
                    "category",
                    "kind",
                    "applicant_kind",
                    "is_published",
                ]
            },
        ),
        (
            _("Time limits and delivery"),
            {
                "fields": [
                    "statutory_limit_days",
                    "promised_limit_days",
                    "visits_needed",
                    "online",
                    "bookable",
                    "fee",
                    "halls",
                ]
            },
        ),
        (
            _("Conditions and result"),
            {
                "fields": [
                    "conditions",
                    "legal_basis",
                    "result_kind",
                    "result_name",
                    "result_certificate_type",
                ]
            },
        ),
        (_("Application form"), {"fields": ["form_definition"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Service]:
        queryset = super().get_queryset(request)
        user = signed_in_user(request)
        if maintenance.is_system_admin(user):
            return queryset
        return queryset.filter(department_id__in=maintenance.administered_departments(user))

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        user = signed_in_user(request)
        if db_field.name == "department" and not maintenance.is_system_admin(user):
            kwargs["queryset"] = Department.objects.filter(
                pk__in=maintenance.administered_departments(user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        changed = list(form.changed_data)
        for formset in formsets:
            if formset.has_changed():
                changed.append(formset.model._meta.model_name)
        maintenance.record_change(
            form.instance,
            by=signed_in_user(request),
            change="changed" if change else "created",
            fields=changed,
            request=request,
            code=form.instance.code,
            department_id=form.instance.department_id,
        )

    def delete_model(self, request: HttpRequest, obj: Service) -> None:
        maintenance.record_change(
            obj, by=signed_in_user(request), change="deleted", request=request, code=obj.code
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Service]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class BundleMemberFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = [
            (
                f.cleaned_data["service"],
                f.cleaned_data.get("required", True),
                f.cleaned_data.get("condition", ""),
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("service")
        ]
        try:
            bundles.check_members(rows)
        except ValidationError as exc:
            raise ValidationError(
                [
                    _("These services cannot share one form: %(problem)s") % {"problem": m}
                    for m in exc.messages
                ]
            ) from None


class BundleMemberInline(admin.TabularInline):
    model = BundleMember
    formset = BundleMemberFormSet
    extra = 1
    fields = ["order", "service", "required", "condition"]
    autocomplete_fields = ["service"]


@admin.register(Bundle)
class BundleAdmin(SystemAdminOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["name", "slug", "life_event", "applicant_kind", "is_published", "order"]
    list_filter = ["life_event", "applicant_kind", "is_published"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [BundleMemberInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        maintenance.record_change(
            form.instance,
            by=signed_in_user(request),
            change="changed" if change else "created",
            fields=list(form.changed_data)
            + (["members"] if any(f.has_changed() for f in formsets) else []),
            request=request,
            slug=form.instance.slug,
        )

    def delete_model(self, request: HttpRequest, obj: Bundle) -> None:
        maintenance.record_change(
            obj, by=signed_in_user(request), change="deleted", request=request, slug=obj.slug
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Bundle]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


# Registering the calendar admin, the halls' queues, slots and bookings, ratings and
# rectifications, and the words search understands.
from services import (  # noqa: E402, F401
    calendar_admin,
    evaluation_admin,
    reservations_admin,
    search_admin,
)

"""What the applications API reads and answers. Input serializers only check shapes; the
domain (services.drafts, materials, workflow, routing) decides everything else."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from portal.models import Organisation, ServiceHall
from services import drafts
from services.models import Bundle, Service
from services.models.applications import Application, ApplicationEvent, Material

MAX_MATERIALS = 50


ERROR = inline_serializer(
    "Error",
    {
        "code": serializers.CharField(help_text="A stable code, e.g. illegal_move, not_allowed."),
        "detail": serializers.CharField(help_text="One message in the request's language."),
        "fields": serializers.DictField(
            required=False,
            help_text="Each wrong field with its messages, nested like the request body.",
        ),
    },
)


# --- Input ---------------------------------------------------------------------------------


class CertificateMaterialSerializer(serializers.Serializer):
    requirement = serializers.CharField(
        max_length=60, help_text=_("The key of a material the service asks for.")
    )
    certificate = serializers.CharField(
        max_length=100,
        help_text=_("One of your own certificates, by its identifier (or its id in the API)."),
    )


class ApplicationCreateSerializer(serializers.Serializer):
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code",
        queryset=drafts.services_to_apply_for(),
        required=False,
        allow_null=True,
        help_text=_("The code of the service to apply for; or give a bundle."),
    )
    bundle: serializers.SlugRelatedField[Bundle] = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Bundle.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The slug of a bundle (一件事) to apply for instead of one service."),
    )
    bundle_choices = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        max_length=50,
        help_text=_("Codes of the bundle's optional services the applicant needs."),
    )
    answers = serializers.DictField(
        required=False, default=dict, help_text=_("The answers to the application form.")
    )
    materials = CertificateMaterialSerializer(
        many=True,
        required=False,
        default=list,
        max_length=MAX_MATERIALS,
        help_text=_("Materials given by e-certificates instead of copies (材料免提交)."),
    )  # type: ignore[call-arg]  # DRF passes max_length to the list serializer
    organisation: serializers.PrimaryKeyRelatedField[Organisation] = (
        serializers.PrimaryKeyRelatedField(
            queryset=Organisation.objects.all(),
            required=False,
            allow_null=True,
            help_text=_("The organisation the applicant acts for, if any."),
        )
    )
    hall: serializers.PrimaryKeyRelatedField[ServiceHall] = serializers.PrimaryKeyRelatedField(
        queryset=ServiceHall.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The service hall that takes the application in (default: the first)."),
    )
    submit = serializers.BooleanField(
        default=True,
        help_text=_("false keeps a draft, to add uploads before submitting it."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("service") is None) == (attrs.get("bundle") is None):
            raise serializers.ValidationError(
                _("Apply for one service or one bundle."), code="service_or_bundle"
            )
        return attrs


# A text the serializer's CharField refuses whatever its length: NUL or a lone surrogate.
_REFUSED_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
_MATERIAL_LIMITS = {"requirement": 60, "certificate": 100}


def create_input(data: Any) -> dict[str, Any]:
    """``ApplicationCreateSerializer``'s validated data. The usual body (one service by its
    code, answers, e-certificates by reference) is checked here without building the
    serializer's fields (about a millisecond a request); any other body, and every one this
    check is unsure of, goes through the serializer, which also words every refusal."""
    fast = _usual_create_input(data)
    if fast is not None:
        return fast
    serializer = ApplicationCreateSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _usual_create_input(data: Any) -> dict[str, Any] | None:
    """What the serializer would accept, or None to let it decide."""
    if not isinstance(data, dict):
        return None
    code = data.get("service")
    if not isinstance(code, str) or not code or "bundle_choices" in data:
        return None
    if any(data.get(name) is not None for name in ("bundle", "organisation", "hall")):
        return None
    answers = data.get("answers", {})
    submit = data.get("submit", True)
    given = data.get("materials", [])
    if not isinstance(answers, dict) or not isinstance(submit, bool):
        return None
    if not isinstance(given, list) or len(given) > MAX_MATERIALS:
        return None
    chosen = []
    for item in given:
        if not isinstance(item, dict):
            return None
        checked = {}
        for name, limit in _MATERIAL_LIMITS.items():
            value = item.get(name)
            if not isinstance(value, str):
                return None
            value = value.strip()
            if not value or len(value) > limit or _REFUSED_CHARACTERS.search(value):
                return None
            checked[name] = value
        chosen.append(checked)
    service = drafts.service_to_apply_for(code)
    if service is None:
        return None
    return {
        "service": service,
        "bundle": None,
        "answers": {str(key): value for key, value in answers.items()},
        "materials": chosen,
        "submit": submit,
    }


class MaterialUploadSerializer(serializers.Serializer):
    requirement = serializers.CharField(
        max_length=60, help_text=_("The key of a material the service asks for.")
    )
    file = serializers.FileField(
        allow_empty_file=True,  # the domain says "The file is empty." itself
        help_text=_("PDF, JPG, PNG or OFD, as the material accepts; checked by content."),
    )


class ResubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        required=False, help_text=_("Answers to change; the others stay as they are.")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class SupplementSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        max_length=50,
        help_text=_("Everything missing or wrong, one item each (一次性告知)."),
    )
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApplicationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text=_("The applicant reads it.")
    )


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApplicationOpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApproveSerializer(ApplicationOpinionSerializer):
    surface = serializers.DictField(
        required=False,
        allow_null=True,
        help_text=_(
            "The result certificate's surface fields as the deciding reviewer confirms them."
        ),
    )


# --- Output --------------------------------------------------------------------------------


class ApplicationEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationEvent
        fields = ["at", "action", "from_status", "to_status", "opinion"]


class ApplicationMaterialSerializer(serializers.ModelSerializer):
    """Metadata only: files are served by the permission-checked download page."""

    requirement = serializers.CharField(source="requirement.key")
    name = serializers.CharField(source="requirement.name")
    # As pages show it: the safe form also of a name stored before names were made safe.
    file_name = serializers.CharField(source="shown_name", read_only=True)
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "requirement",
            "name",
            "source",
            "file_name",
            "content_type",
            "size",
            "certificate",
            "original_seen",
            "copy_taken",
            "added_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_certificate(self, material: Material) -> str | None:
        return material.certificate.identifier if material.certificate else None


class RemainingDaysSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Working days left; negative when overdue.")
    provisional = serializers.BooleanField()
    paused = serializers.BooleanField(help_text="The clock stands still during a supplement.")


class ApplicationSummarySerializer(serializers.ModelSerializer):
    """A case in a list: what it is, where it stands, and how long it has left."""

    reference = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display")
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    bundle: serializers.SlugRelatedField[Bundle] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    title = serializers.CharField()
    remaining = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "acceptance_number",
            "status",
            "status_label",
            "service",
            "bundle",
            "title",
            "organisation",
            "channel",
            "created_at",
            "submitted_at",
            "accepted_at",
            "due_date",
            "due_provisional",
            "remaining",
            "sla",
        ]

    @extend_schema_field(RemainingDaysSerializer(allow_null=True))
    def get_remaining(self, application: Application) -> dict[str, Any] | None:
        left = self.context.get("remaining", {}).get(application.pk)
        if left is None:
            return None
        return {"days": left.days, "provisional": left.provisional, "paused": left.paused}


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    """One case. The pickup code only to the applicant; the answers only to whoever may see
    the case (a staff or department read is audited by the view)."""

    review_step = serializers.CharField(source="review_step.name", default=None, allow_null=True)
    events = ApplicationEventSerializer(many=True, source="event_list")
    materials = ApplicationMaterialSerializer(many=True, source="material_list")
    children = ApplicationSummarySerializer(many=True, source="child_list")
    result_certificate = serializers.SerializerMethodField()
    pickup_code = serializers.SerializerMethodField()

    class Meta(ApplicationSummarySerializer.Meta):
        fields = [
            *ApplicationSummarySerializer.Meta.fields,
            "parent",
            "hall",
            "decided_at",
            "completed_at",
            "paused_on",
            "supplement_items",
            "status_reason",
            "review_step",
            "answers",
            "bundle_choices",
            "delivery",
            "result_certificate",
            "pickup_code",
            "handed_over_at",
            "events",
            "materials",
            "children",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_result_certificate(self, application: Application) -> str | None:
        certificate = application.result_certificate
        return certificate.identifier if certificate else None

    @extend_schema_field(
        serializers.CharField(allow_null=True, help_text="Shown to the applicant only.")
    )
    def get_pickup_code(self, application: Application) -> str | None:
        return application.pickup_code if self.context.get("is_applicant") else None


# --- A new application's answer, without the serializers ----------------------------------
# Building ApplicationDetailSerializer's fields from the model costs more than everything
# else in answering a submit (~2.5 ms a request). The apply endpoint answers the case it just
# made with the dict below instead: the same keys and values as the serializer gives (a test
# compares it with a later read through the serializer; the contract check with the schema).


def _when(value: datetime.datetime | None) -> str | None:
    """A datetime as DRF's DateTimeField writes it: ISO 8601 in the current time zone."""
    if not value:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _event(event: ApplicationEvent) -> dict[str, Any]:
    return {
        "at": _when(event.at),
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "opinion": event.opinion,
    }


def _material(material: Material) -> dict[str, Any]:
    requirement = material.requirement
    return {
        "id": material.pk,
        "requirement": requirement.key,
        "name": requirement.name,
        "source": str(material.source),
        "file_name": material.shown_name,
        "content_type": material.content_type,
        "size": material.size,
        "certificate": material.certificate.identifier if material.certificate else None,
        "original_seen": material.original_seen,
        "copy_taken": material.copy_taken,
        "added_at": _when(material.added_at),
    }


def new_application_detail(
    application: Application,
    *,
    events: list[ApplicationEvent],
    materials: list[Material],
    remaining: dict[int, Any],
) -> dict[str, Any]:
    """``ApplicationDetailSerializer`` of a case just made by its applicant (no children)."""
    a = application
    left = remaining.get(a.pk)
    return {
        "id": a.pk,
        "reference": a.reference,
        "acceptance_number": a.acceptance_number,
        "status": str(a.status),
        "status_label": str(a.get_status_display()),  # type: ignore[attr-defined]
        "service": a.service.code if a.service is not None else None,
        "bundle": a.bundle.slug if a.bundle is not None else None,
        "title": str(a.title()),
        "organisation": a.organisation_id,
        "channel": str(a.channel),
        "created_at": _when(a.created_at),
        "submitted_at": _when(a.submitted_at),
        "accepted_at": _when(a.accepted_at),
        "due_date": _day(a.due_date),
        "due_provisional": a.due_provisional,
        "remaining": None
        if left is None
        else {"days": left.days, "provisional": left.provisional, "paused": left.paused},
        "sla": str(a.sla),
        "parent": a.parent_id,
        "hall": a.hall_id,
        "decided_at": _when(a.decided_at),
        "completed_at": _when(a.completed_at),
        "paused_on": _day(a.paused_on),
        "supplement_items": a.supplement_items,
        "status_reason": a.status_reason,
        "review_step": a.review_step.name if a.review_step is not None else None,
        "answers": a.answers,
        "bundle_choices": a.bundle_choices,
        "delivery": str(a.delivery),
        "result_certificate": a.result_certificate.identifier if a.result_certificate else None,
        "pickup_code": a.pickup_code,
        "handed_over_at": _when(a.handed_over_at),
        "events": [_event(e) for e in events],
        "materials": [_material(m) for m in materials],
        "children": [],
    }

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from certificates.models import CertificateType
from portal.models import Department, ServiceCategory, ServiceHall
from services.models import Bundle, BundleMember, MaterialRequirement, ReviewStep, Service


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["code", "name", "name_en"]


class HallSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceHall
        fields = ["id", "name", "address", "opening_hours"]


class ServiceSummarySerializer(serializers.ModelSerializer):
    department = DepartmentSerializer()
    category = CategorySerializer()

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "name_en",
            "department",
            "category",
            "kind",
            "applicant_kind",
            "statutory_limit_days",
            "promised_limit_days",
            "visits_needed",
            "online",
            "bookable",
        ]


class MaterialSerializer(serializers.ModelSerializer):
    certificate_type: serializers.SlugRelatedField[CertificateType] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    file_types = serializers.ListField(child=serializers.CharField(), source="file_type_list")
    blank_form = serializers.SerializerMethodField()
    sample = serializers.SerializerMethodField()

    class Meta:
        model = MaterialRequirement
        fields = [
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

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_blank_form(self, requirement: MaterialRequirement) -> str | None:
        return self._url(requirement, "blank_form", "blank-form")

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_sample(self, requirement: MaterialRequirement) -> str | None:
        return self._url(requirement, "sample", "sample")

    def _url(self, requirement: MaterialRequirement, field: str, which: str) -> str | None:
        if not getattr(requirement, field):
            return None
        path = reverse(
            "services:material_file", args=[requirement.service.code, requirement.key, which]
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReviewStepSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")

    class Meta:
        model = ReviewStep
        fields = ["order", "name", "department", "role"]


@extend_schema_field(
    {
        "type": "object",
        "description": "The application form: {fields: [{key, label, label_en, type, "
        "required, help, help_en, rules}]}. Types: text, number, date, choice, id_number, "
        "uscc, phone, address, boolean.",
        "properties": {"fields": {"type": "array", "items": {"type": "object"}}},
    }
)
class FormDefinitionField(serializers.JSONField):
    pass


class ServiceDetailSerializer(ServiceSummarySerializer):
    result_certificate_type: serializers.SlugRelatedField[CertificateType] = (
        serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    )
    materials = MaterialSerializer(many=True)
    review_steps = ReviewStepSerializer(many=True)
    halls = HallSerializer(many=True)
    form_definition = FormDefinitionField()

    class Meta(ServiceSummarySerializer.Meta):
        fields = [
            *ServiceSummarySerializer.Meta.fields,
            "description",
            "fee",
            "legal_basis",
            "conditions",
            "result_kind",
            "result_name",
            "result_certificate_type",
            "halls",
            "materials",
            "review_steps",
            "form_definition",
        ]


class BundleSummarySerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField()

    class Meta:
        model = Bundle
        fields = [
            "slug",
            "name",
            "name_en",
            "description",
            "life_event",
            "applicant_kind",
            "member_count",
        ]


class BundleMemberSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="service.code")
    name = serializers.CharField(source="service.name")
    name_en = serializers.CharField(source="service.name_en")
    department = serializers.CharField(source="service.department.code")

    class Meta:
        model = BundleMember
        fields = ["code", "name", "name_en", "department", "required", "condition"]


class MergedMaterialSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    # A field named like Field.required: the serializer metaclass takes it off the class.
    required = serializers.BooleanField()  # type: ignore[assignment]
    conditions = serializers.ListField(child=serializers.CharField())
    form = serializers.CharField()
    copies = serializers.IntegerField()
    certificate_type = serializers.CharField(
        source="certificate_type.code", read_only=True, allow_null=True
    )
    service_codes = serializers.ListField(child=serializers.CharField())


class BundleDetailSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()
    form_definition = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()

    class Meta:
        model = Bundle
        fields = [
            "slug",
            "name",
            "name_en",
            "description",
            "life_event",
            "applicant_kind",
            "members",
            "form_definition",
            "materials",
        ]

    @extend_schema_field(BundleMemberSerializer(many=True))
    def get_members(self, bundle: Bundle) -> Any:
        return BundleMemberSerializer(bundle.members.all(), many=True).data

    @extend_schema_field(FormDefinitionField())
    def get_form_definition(self, bundle: Bundle) -> dict[str, Any]:
        return self.context["merged"].form_definition

    @extend_schema_field(MergedMaterialSerializer(many=True))
    def get_materials(self, bundle: Bundle) -> Any:
        return MergedMaterialSerializer(self.context["merged"].materials, many=True).data

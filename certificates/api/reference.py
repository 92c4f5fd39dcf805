"""Certificate types as reference data: the type codes and surface fields issuing takes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from certificates.models import CertificateType
from certificates.surface import NORMALISERS
from portal.api.reference import CACHED_NOTE, cached_answer

SURFACE_FIELD = {
    "type": "object",
    "description": "One field printed on a certificate of the type: a key of `surface`.",
    "properties": {
        "name": {"type": "string", "description": "The key in `surface`."},
        "label": {"type": "string"},
        "label_en": {"type": "string"},
        "type": {
            "type": "string",
            "enum": sorted(NORMALISERS),
            "description": "text; date as YYYY-MM-DD; number as digits.",
        },
        "required": {"type": "boolean"},
    },
    "required": ["name", "label", "label_en", "type", "required"],
}


def surface_field(field: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": field["name"],
        "label": field.get("label", field["name"]),
        "label_en": field.get("label_en", ""),
        "type": field.get("type") or "text",
        "required": bool(field.get("required", False)),
    }


class CertificateTypeSerializer(serializers.ModelSerializer):
    defining_department: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    issuing_departments = serializers.SerializerMethodField()
    surface_fields = serializers.SerializerMethodField()

    class Meta:
        model = CertificateType
        fields = [
            "code",
            "name",
            "name_en",
            "holder_kind",
            "defining_department",
            "issuing_departments",
            "validity_rule",
            "validity_years",
            "surface_fields",
        ]

    @extend_schema_field({"type": "array", "items": SURFACE_FIELD})
    def get_surface_fields(self, obj: CertificateType) -> list[dict[str, Any]]:
        return [surface_field(field) for field in obj.fields]

    @extend_schema_field(
        {"type": "array", "items": {"type": "string"}, "description": "issuer_code values"}
    )
    def get_issuing_departments(self, obj: CertificateType) -> list[str]:
        return [department.code for department in obj.issuing_departments.all()]


@extend_schema(
    responses=CertificateTypeSerializer(many=True),
    summary="Certificate types with their surface fields",
    description=(
        "Every certificate type: its `type_code`, who defines it, which departments may issue "
        "it (their `issuer_code`), its holder kind, how long it is valid, and the surface "
        "fields the `surface` object of an issue or renew request takes (`surface_fields`). "
        + CACHED_NOTE
    ),
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def certificate_types(request: Request) -> Response:
    return cached_answer(
        "certificate-types",
        lambda: (
            CertificateTypeSerializer(
                CertificateType.objects.select_related("defining_department").prefetch_related(
                    "issuing_departments"
                ),
                many=True,
            ).data
        ),
    )

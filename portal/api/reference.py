"""Reference data for departments' systems: the codes the other operations take.

Public (the same data the catalogue pages show), unpaginated (tens of rows), and cached for
``REFERENCE_SECONDS``: departments and halls change a few times a year. Certificate types are
in certificates/api/reference.py (portal does not import the certificates app).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from portal.models import Department, ServiceCategory, ServiceHall

REFERENCE_SECONDS = 300
CACHED_NOTE = (
    f"Cached: the answer may be up to {REFERENCE_SECONDS // 60} minutes old "
    f"(Cache-Control: public, max-age={REFERENCE_SECONDS}). Changes nothing: safe to repeat."
)


def cached_answer(key: str, build: Callable[[], Any]) -> Response:
    """The list from the cache, built on a miss; the same for every caller."""
    full_key = f"api:reference:{key}:{get_language()}"
    data = cache.get(full_key)
    if data is None:
        data = build()
        cache.set(full_key, data, REFERENCE_SECONDS)
    return Response(data, headers={"Cache-Control": f"public, max-age={REFERENCE_SECONDS}"})


class DepartmentReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "name_en", "area_code"]
        extra_kwargs = {"code": {"help_text": "Unified social credit code: the issuer_code."}}


class ServiceCategoryReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = ["code", "name", "name_en"]


class HallReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceHall
        fields = [
            "id",
            "name",
            "name_en",
            "address",
            "address_en",
            "area_code",
            "opening_hours",
            "opening_hours_en",
        ]


@extend_schema(
    responses=DepartmentReferenceSerializer(many=True),
    summary="Departments and their codes",
    description=(
        "Every active department: its unified social credit code (the `issuer_code` of "
        "certificates and the `department` filter of the catalogue), name and area. " + CACHED_NOTE
    ),
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def departments(request: Request) -> Response:
    return cached_answer(
        "departments",
        lambda: (
            DepartmentReferenceSerializer(Department.objects.filter(is_active=True), many=True).data
        ),
    )


@extend_schema(
    responses=ServiceCategoryReferenceSerializer(many=True),
    summary="Service categories and their codes",
    description=(
        "The categories of the service catalogue; `code` is the `category` filter of "
        "/api/v1/services/. " + CACHED_NOTE
    ),
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def service_categories(request: Request) -> Response:
    return cached_answer(
        "categories",
        lambda: ServiceCategoryReferenceSerializer(ServiceCategory.objects.all(), many=True).data,
    )


@extend_schema(
    responses=HallReferenceSerializer(many=True),
    summary="Service halls",
    description=(
        "The service halls (政务服务中心) where services are applied for in person: address and "
        "opening hours, in Chinese and English. " + CACHED_NOTE
    ),
)
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def halls(request: Request) -> Response:
    return cached_answer(
        "halls", lambda: HallReferenceSerializer(ServiceHall.objects.all(), many=True).data
    )

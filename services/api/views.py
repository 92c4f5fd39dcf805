"""The read-only catalogue API. Views validate the query, call a selector, and render."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.pagination import PageNumberPagination
from services import bundles, search, selectors
from services.api.serializers import (
    BundleDetailSerializer,
    BundleSummarySerializer,
    ServiceDetailSerializer,
    ServiceSummarySerializer,
)
from services.models import ApplicantKind, Bundle, LifeEvent, Service


class CataloguePagination(PageNumberPagination):
    """20 a page, page_size up to 100."""


PUBLIC = [permissions.AllowAny]


@extend_schema(
    summary="List and search the service catalogue",
    description=(
        "The public service catalogue (政务服务事项), a page at a time: filter by applicant "
        "kind, department code (see /api/v1/departments/) or category code (see "
        "/api/v1/service-categories/), or search with `q` (best match first; otherwise by "
        "code)."
    ),
    parameters=[
        OpenApiParameter(
            "q",
            str,
            description="Search: Chinese words, pinyin, pinyin initials (yyzz), English words "
            "or a service code; best match first. At most 100 characters.",
        ),
        OpenApiParameter("for", str, enum=[ApplicantKind.PERSON, ApplicantKind.ORGANISATION]),
        OpenApiParameter("department", str, description="Department code (USCC) or id."),
        OpenApiParameter("category", str, description="Service category code."),
    ],
)
class ServiceList(generics.ListAPIView):
    permission_classes = PUBLIC
    pagination_class = CataloguePagination
    serializer_class = ServiceSummarySerializer

    def get_queryset(self) -> QuerySet[Service]:
        params = self.request.query_params
        applicant = params.get("for", "")
        if applicant and applicant not in (ApplicantKind.PERSON, ApplicantKind.ORGANISATION):
            raise APIValidationError({"for": [_("Choose person or organisation.")]})
        try:
            return selectors.services(
                applicant=applicant or None,
                department=params.get("department", "")[:40] or None,
                category=params.get("category", "")[:40] or None,
                query=params.get("q", ""),
            )
        except search.QueryTooLong as exc:
            raise APIValidationError({"q": [exc.user_message()]}, code="too_long") from None


@extend_schema(
    summary="A service: its guide, materials, review steps and application form",
    description=(
        "One service by its code: the guide (办事指南), the materials to bring or upload, the "
        "review steps, the halls that take it and the form an application answers."
    ),
)
class ServiceDetail(generics.RetrieveAPIView):
    permission_classes = PUBLIC
    pagination_class = CataloguePagination
    serializer_class = ServiceDetailSerializer
    lookup_field = "code"

    def get_object(self) -> Service:
        try:
            return selectors.service(self.kwargs["code"])
        except Service.DoesNotExist:
            raise Http404 from None


@extend_schema(
    summary="List the bundles (一件事)",
    description=(
        "Bundles (一件事一次办): several services applied for together for one life or business "
        "event, a page at a time; `event` filters by the event."
    ),
    parameters=[OpenApiParameter("event", str, enum=LifeEvent.values)],
)
class BundleList(generics.ListAPIView):
    permission_classes = PUBLIC
    pagination_class = CataloguePagination
    serializer_class = BundleSummarySerializer

    def get_queryset(self) -> QuerySet[Bundle]:
        event = self.request.query_params.get("event", "")
        if event and event not in LifeEvent.values:
            raise APIValidationError({"event": [_("Not a known life or business event.")]})
        return selectors.bundles(life_event=event or None)


@extend_schema(
    summary="A bundle with its members, merged form and merged material list",
    description=(
        "One bundle by its slug: its member services, the one form that covers them all and "
        "the merged material list (each material asked for once). A bundle whose member "
        "changed so that it no longer merges answers 400 `bundle_conflict`."
    ),
    extensions={"x-error-codes": {"400": ["bundle_conflict"]}},
)
class BundleDetail(generics.RetrieveAPIView):
    permission_classes = PUBLIC
    pagination_class = CataloguePagination
    serializer_class = BundleDetailSerializer
    lookup_field = "slug"

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            bundle = selectors.bundle(self.kwargs["slug"])
        except Bundle.DoesNotExist:
            raise Http404 from None
        try:
            merged = bundles.merge_bundle(bundle)
        except ValidationError as exc:  # a member changed since the bundle was saved
            raise APIValidationError({"members": exc.messages}, code="bundle_conflict") from None
        return Response(BundleDetailSerializer(bundle, context={"merged": merged}).data)

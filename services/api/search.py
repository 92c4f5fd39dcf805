"""One search over services and 一件事 bundles, and suggestions as one types.

Thin: validate, call ``services.search``, shape the answer. The page ``/search/`` and the
home page's box use the same ``search.find``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services import search
from services.api.serializers import CategorySerializer, DepartmentSerializer

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
SUGGESTIONS = 8


class SearchResultSerializer(serializers.Serializer):
    """A service (``kind`` "service", with ``code``) or a bundle (``kind`` "bundle", with
    ``slug`` and ``member_count``); ``url`` is its page."""

    kind = serializers.CharField(help_text="service or bundle")
    code = serializers.CharField(required=False, help_text="Services only.")
    slug = serializers.CharField(required=False, help_text="Bundles only.")
    name = serializers.CharField()
    name_en = serializers.CharField()
    url = serializers.CharField()
    department = DepartmentSerializer(required=False, help_text="Services only.")
    category = CategorySerializer(required=False, help_text="Services only.")
    member_count = serializers.IntegerField(required=False, help_text="Bundles only.")
    life_event = serializers.CharField(required=False, help_text="Bundles only.")
    leading = serializers.BooleanField(
        required=False, help_text="Bundles only: the query names this bundle's life event."
    )


def result(hit: search.Hit) -> dict[str, Any]:
    """The API's shape of one result."""
    item = hit.item
    if hit.kind == "bundle":
        return {
            "kind": "bundle",
            "slug": item.slug,
            "name": item.name,
            "name_en": item.name_en,
            "url": reverse("services:bundle_detail", args=[item.slug]),
            "member_count": item.member_count,
            "life_event": item.life_event,
            "leading": hit.leading,
        }
    return {
        "kind": "service",
        "code": item.code,
        "name": item.name,
        "name_en": item.name_en,
        "url": reverse("services:service_detail", args=[item.code]),
        # Plain dicts: a ModelSerializer per row cost more than the search itself.
        "department": _named(item.department),
        "category": _named(item.category),
    }


def _named(row: Any) -> dict[str, str]:
    return {"code": row.code, "name": row.name, "name_en": row.name_en}


def _query(request: Request) -> str:
    query = request.query_params.get("q", "")
    if len(query) > search.MAX_QUERY_LENGTH:
        raise APIValidationError(
            {"q": [search.QueryTooLong(query).user_message()]}, code="too_long"
        )
    return query


def _number(raw: str, default: int, largest: int) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= largest else default


Q_PARAMETER = OpenApiParameter(
    "q",
    str,
    description="What the resident typed: Chinese (simplified or traditional), everyday words "
    "(开个奶茶店), a sentence, a homophone slip (身分证), pinyin joined or in syllables and with "
    "slips (yingye zhizao for 营业执照, jia zhao), initials (yyzz), English or a service code. "
    "At most 100 characters.",
)


@extend_schema(
    summary="Search services and bundles (一件事) at once",
    description="Best first. Bundles whose life event the query names come first "
    "(``leading``); words nothing has are ignored rather than emptying the result. "
    "When nothing matches, ``suggestions`` holds close words and bundles.",
    parameters=[
        Q_PARAMETER,
        OpenApiParameter("page", int, description="1 for the first page."),
        OpenApiParameter("page_size", int, description="1 to 50, default 20."),
    ],
    responses={
        200: inline_serializer(
            "SearchResults",
            {
                "count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "terms": serializers.ListField(child=serializers.CharField()),
                "results": SearchResultSerializer(many=True),
                "suggestions": inline_serializer(
                    "SearchSuggestion",
                    {
                        "kind": serializers.CharField(help_text="word or bundle"),
                        "text": serializers.CharField(),
                        "slug": serializers.CharField(required=False),
                    },
                    many=True,
                ),
            },
        ),
        400: OpenApiResponse(description="The query is longer than 100 characters."),
    },
)
class Search(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        query = _query(request)
        size = _number(request.query_params.get("page_size", ""), PAGE_SIZE, MAX_PAGE_SIZE)
        number = _number(request.query_params.get("page", ""), 1, 10_000)
        found = search.find(query)
        hits = search.page(found, (number - 1) * size, size)
        suggestions: list[dict[str, str]] = []
        if not found.count and found.terms:
            search.record_miss(query)
            suggestions = search.did_you_mean(query)
        return Response(
            {
                "count": found.count,
                "page": number,
                "terms": [t.text for t in found.terms],
                "results": [result(hit) for hit in hits],
                "suggestions": suggestions,
            }
        )


@extend_schema(
    summary="Suggestions while typing in the search box",
    description="Up to 8 service and bundle names for what has been typed so far.",
    parameters=[Q_PARAMETER],
    responses={
        200: inline_serializer(
            "SearchSuggestions",
            {"query": serializers.CharField(), "results": SearchResultSerializer(many=True)},
        ),
        400: OpenApiResponse(description="The query is longer than 100 characters."),
    },
)
class Suggest(APIView):
    permission_classes = [permissions.AllowAny]

    def get(self, request: Request) -> Response:
        query = _query(request)
        found = search.find(query, names_only=True)
        rows = search.suggestions(found, SUGGESTIONS)
        for row in rows:
            if row["kind"] == "bundle":
                row["url"] = reverse("services:bundle_detail", args=[row["slug"]])
            else:
                row["url"] = reverse("services:service_detail", args=[row["code"]])
        return Response({"query": query, "results": rows})

"""Catalogue search: services and 一件事 bundles, found the way residents ask.

- ``text``: normalising, traditional → simplified, jieba, pinyin (exact and fuzzy), English stems;
- ``vocabulary``: everyday words, filler, areas, narrowing words (``SearchWord``, admin-edited);
- ``index``: the weighted search keys of services and bundles (``SearchToken``,
  ``BundleSearchToken``), rebuilt on save;
- ``query``: a query cut into terms, each with its keys;
- ``engine``: one grouped query per kind of item, ranked BM25-style;
- ``results``: pages of mixed results, "did you mean", the log of queries without results.

See docs/adr/0004-catalogue-search.md (the token table) and 0011-search-ranking.md (ranking).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from services.models import Service
from services.search import signals, vocabulary  # noqa: F401  (signals: receivers)
from services.search.engine import Found, find
from services.search.index import (
    index_bundles,
    index_services,
    reindex_all,
    tokens_for,
    tokens_for_bundle,
)
from services.search.query import MAX_QUERY_LENGTH, MAX_TERMS, QueryTooLong, Term, parse
from services.search.results import Hit, did_you_mean, page, record_miss, suggestions
from services.search.text import normalise

__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "Found",
    "Hit",
    "QueryTooLong",
    "Term",
    "did_you_mean",
    "find",
    "index_bundles",
    "index_services",
    "normalise",
    "page",
    "parse_query",
    "record_miss",
    "reindex_all",
    "search",
    "suggestions",
    "tokens_for",
    "tokens_for_bundle",
]


def parse_query(query: str) -> list[str]:
    """The terms of a query as understood (filler gone, phrases kept whole). Raises
    ``QueryTooLong``."""
    return [term.text for term in parse(query, vocabulary.load())]


def search(query: str, queryset: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services matching ``query`` within ``queryset`` (else all published), best first, as a
    queryset (annotated ``rank``) that knows its count: a paginated list costs the search's
    one query and the page's. Raises ``QueryTooLong``."""
    base = queryset if queryset is not None else Service.objects.published()
    # Only published services have keys: a scope of just those needs no filter in SQL.
    plain = str(base.query) == str(Service.objects.published().query)
    found = find(query, None if plain else base, bundles=False)
    ids = found.services.ids
    if not ids:
        return base.none()
    ranked = (
        base.filter(pk__in=ids)
        .annotate(
            rank=Case(
                *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)),
                output_field=IntegerField(),
            )
        )
        .order_by("rank")
    )
    return _counted(ranked, len(ids))


def _counted(queryset: QuerySet[Service], total: int) -> QuerySet[Service]:
    """The queryset, answering ``count()`` (``total``) without a query until it is filtered (the
    ids came from the index of published services within the same scope)."""

    class Counted(type(queryset)):  # type: ignore[misc]
        known_count: int | None = total

        def _clone(self) -> Any:
            clone = super()._clone()
            clone.known_count = self.known_count
            return clone

        def _filter_or_exclude(self, *args: Any, **kwargs: Any) -> Any:
            clone = super()._filter_or_exclude(*args, **kwargs)
            clone.known_count = None
            return clone

        def count(self) -> int:
            return self.known_count if self.known_count is not None else super().count()

    queryset.__class__ = Counted
    return queryset

"""What callers show: a page of mixed results, suggestions as one types, "did you mean" words
when nothing matched, and the record of queries that found nothing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone

from portal.logging import mask_text
from services.models import Bundle, SearchMiss, Service
from services.search import vocabulary
from services.search.engine import Found
from services.search.text import CJK_RUN, normalise, syllables

SUGGESTIONS = 8


@dataclass
class Hit:
    """One result: a service or a bundle (with ``member_count``), and whether a bundle leads."""

    kind: str
    item: Any
    leading: bool = False


def page(found: Found, offset: int, limit: int) -> list[Hit]:
    """The results ``offset`` to ``offset + limit``: at most two queries (services, bundles)."""
    window = found.order()[offset : offset + limit]
    service_ids = [i for kind, i in window if kind == "service"]
    bundle_ids = [i for kind, i in window if kind == "bundle"]
    services = (
        Service.objects.filter(pk__in=service_ids).select_related("department", "category")
        if service_ids
        else []
    )
    bundles = (
        Bundle.objects.filter(pk__in=bundle_ids).annotate(member_count=Count("members"))
        if bundle_ids
        else []
    )
    by_id = {("service", s.pk): s for s in services} | {("bundle", b.pk): b for b in bundles}
    leading = set(found.leading_bundles)
    return [
        Hit(kind, by_id[(kind, i)], kind == "bundle" and i in leading)
        for kind, i in window
        if (kind, i) in by_id
    ]


def did_you_mean(query: str, limit: int = 3) -> list[dict[str, str]]:
    """Close words the vocabulary knows and close bundles, for a query that found nothing:
    [{"kind": "word", "text": 驾驶证} | {"kind": "bundle", "text": name, "slug": slug}]."""
    words = vocabulary.load()
    text = normalise(query)
    latin = not CJK_RUN.search(text)
    text = re.sub(r"\s+", "", text)
    candidates: dict[str, dict[str, str]] = {}
    for slug, name, name_en in words.bundles:
        entry = {"kind": "bundle", "text": name, "slug": slug}
        candidates[_key(name.removesuffix("一件事"), latin)] = entry
        if latin and name_en:
            candidates[name_en.lower().replace(" ", "")] = entry
    for phrase, means in words.colloquial.items():
        for word in (phrase, *means):
            if CJK_RUN.fullmatch(word):
                candidates.setdefault(_key(word, latin), {"kind": "word", "text": means[0]})
    close = difflib.get_close_matches(text, list(candidates), n=limit * 3, cutoff=0.5)
    result: list[dict[str, str]] = []
    for key in close:
        entry = candidates[key]
        if entry not in result:
            result.append(entry)
    return result[:limit]


def _key(word: str, latin: bool) -> str:
    return "".join(syllables(word)) if latin else word


def record_miss(query: str) -> None:
    """Count a query that found nothing, ID and phone numbers masked."""
    masked = mask_text(" ".join(query.split()))[:120]
    if not masked:
        return
    now = timezone.now()
    if SearchMiss.objects.filter(query=masked).update(count=F("count") + 1, last_seen=now):
        return
    try:
        with transaction.atomic():
            SearchMiss.objects.create(query=masked)
    except IntegrityError:  # asked at the same moment by someone else
        SearchMiss.objects.filter(query=masked).update(count=F("count") + 1, last_seen=now)

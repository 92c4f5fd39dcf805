"""What callers show: a page of mixed results, suggestions as one types, "did you mean" words
when nothing matched, and the record of queries that found nothing."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from portal.logging import mask_text
from services.models import Bundle, BundleSearchToken, SearchMiss, SearchToken, Service
from services.search import vocabulary
from services.search.engine import Found, prefix_sql
from services.search.query import parse
from services.search.text import CJK_RUN, pinyin_syllables, syllables

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
        Service.objects.published()
        .filter(pk__in=service_ids)
        .select_related("department", "category")
        if service_ids
        else []
    )
    bundles = (
        Bundle.objects.published().filter(pk__in=bundle_ids).annotate(member_count=Count("members"))
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


def suggestions(found: Found, limit: int = SUGGESTIONS) -> list[dict[str, Any]]:
    """The first ``limit`` results as plain rows for the search box, as one types: kind, code
    or slug, name, English name (and a bundle's life event and whether it leads). Two light
    queries at most, no related rows: the box asks on every keystroke."""
    window = found.order()[:limit]
    service_ids = [i for kind, i in window if kind == "service"]
    bundle_ids = [i for kind, i in window if kind == "bundle"]
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    if service_ids:
        for pk, code, name, name_en in Service.objects.filter(
            pk__in=service_ids, is_published=True
        ).values_list("pk", "code", "name", "name_en"):
            rows[("service", pk)] = {
                "kind": "service",
                "code": code,
                "name": name,
                "name_en": name_en,
            }
    if bundle_ids:
        leading = set(found.leading_bundles)
        for pk, slug, name, name_en, event in Bundle.objects.filter(
            pk__in=bundle_ids, is_published=True
        ).values_list("pk", "slug", "name", "name_en", "life_event"):
            rows[("bundle", pk)] = {
                "kind": "bundle",
                "slug": slug,
                "name": name,
                "name_en": name_en,
                "life_event": event,
                "leading": pk in leading,
            }
    return [rows[hit] for hit in window if hit in rows]


def did_you_mean(query: str, limit: int = 3) -> list[dict[str, str]]:
    """Close words the vocabulary knows and close bundles, for a query that found nothing:
    [{"kind": "word", "text": 驾驶证} | {"kind": "bundle", "text": name, "slug": slug}].
    An everyday word of the query suggests its official word first."""
    words = vocabulary.load()
    result: list[dict[str, str]] = []
    for term in parse(query, words):
        # A generic word (证明, 补领) suggests every certificate or replacement: no help.
        if term.optional or term.generic:
            continue
        text = term.text
        latin = not CJK_RUN.search(text)
        meaning = words.colloquial.get(text) or words.colloquial.get(words.pinyin.get(text, ""))
        if meaning and CJK_RUN.fullmatch(meaning[0]):
            _append(result, {"kind": "word", "text": meaning[0]})
        # Only words that share a real word with the query are close: two characters, or
        # two that sound the same (结昏: 结婚); in Latin letters, only pinyin is compared.
        if latin and not pinyin_syllables(text):
            continue
        candidates = _candidates(words, latin)
        for key in difflib.get_close_matches(_key(text, False), list(candidates), n=6, cutoff=0.5):
            if _shares_word(text, key, latin):
                _append(result, candidates[key])
    # A word no published name carries would find nothing again (车辆过户 means
    # 机动车转移登记, which the demo does not offer): not suggested.
    return [r for r in result if r["kind"] != "word" or _named(r["text"])][:limit]


def _named(word: str) -> bool:
    """Whether a published service's or bundle's name key starts with ``word``: one indexed
    look-up per word, only for a query that found nothing."""
    condition, value = prefix_sql(word)
    params = [value] if connection.vendor == "postgresql" else [word, word + "\U0010ffff"]
    with connection.cursor() as cursor:
        for model in (SearchToken, BundleSearchToken):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} WHERE {condition} LIMIT 1", params)  # noqa: S608
            if cursor.fetchone():
                return True
    return False


def _pairs(word: str) -> set[str]:
    """The two-character pieces of a Chinese word, as written and as they sound."""
    sounds = [syllables(c)[:1] for c in word]
    result = {word[i : i + 2] for i in range(len(word) - 1)}
    result |= {"|".join((*sounds[i], *sounds[i + 1])) for i in range(len(word) - 1) if sounds[i]}
    return result


def _shares_word(query: str, candidate: str, latin: bool = False) -> bool:
    if latin:  # two syllables in a row
        mine, theirs = pinyin_syllables(query) or (), pinyin_syllables(candidate) or ()
        return bool(
            {mine[i : i + 2] for i in range(len(mine) - 1)}
            & {theirs[i : i + 2] for i in range(len(theirs) - 1)}
        )
    return bool(_pairs(query) & _pairs(candidate))


def _append(result: list[dict[str, str]], entry: dict[str, str]) -> None:
    if entry not in result:
        result.append(entry)


def _candidates(words: vocabulary.Vocabulary, latin: bool) -> dict[str, dict[str, str]]:
    """Suggestible words and bundles by how they are compared: as written, or in pinyin."""
    candidates: dict[str, dict[str, str]] = {}
    for slug, name, name_en in words.bundles:
        entry = {"kind": "bundle", "text": name, "slug": slug}
        candidates[_key(name.removesuffix("一件事"), latin)] = entry
        if latin and name_en:
            candidates[name_en.lower().replace(" ", "")] = entry
    for phrase, means in words.colloquial.items():
        if means and CJK_RUN.fullmatch(means[0]):
            for word in (phrase, *means):
                if CJK_RUN.fullmatch(word):
                    candidates.setdefault(_key(word, latin), {"kind": "word", "text": means[0]})
    return candidates


def _key(word: str, latin: bool) -> str:
    return "".join(syllables(word)) if latin and CJK_RUN.fullmatch(word) else word


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

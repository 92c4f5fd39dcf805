"""The search keys of services and bundles, with the weights that rank them.

A service's keys, best weight kept per key: its code; every suffix of its name (a prefix match
on a key is then a substring match on the name); the pinyin and initials of the name from each
syllable on, and the fuzzy pinyin of the same (southern confusions folded, ``~`` in front);
the stems of its English name; jieba's words of its description, category and department.
Names carrying a narrowing word (补领, 新生儿, 单位…) weigh a little less, as do long names:
between two services that both match, the general, common one comes first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import translation

from services.models import Bundle, BundleSearchToken, SearchToken, Service
from services.search import vocabulary
from services.search.text import (
    FUZZY_MARK,
    LATIN_WORD,
    TEXT_MARK,
    english_key,
    fuzzy_pinyin,
    is_cjk,
    normalise,
    syllables,
    words,
)

TOKEN_LENGTH = 64

W_CODE = 200
W_NAME_START = 100
W_NAME = 80
W_PINYIN_FULL = 60
W_PINYIN = 50
W_ENGLISH = 60
W_EVENT = 60
W_BUNDLE_TEXT = 20
W_CATEGORY = 15
W_DESCRIPTION = 10
W_DEPARTMENT = 5
NARROWING_PENALTY = 8

Add = Callable[[str, int], None]


def _collector() -> tuple[dict[str, int], Add]:
    tokens: dict[str, int] = {}

    def add(token: str, weight: int) -> None:
        token = token[:TOKEN_LENGTH]
        weight = max(1, weight)
        if token and tokens.get(token, 0) < weight:
            tokens[token] = weight

    return tokens, add


def _name_weight(name: str, narrowing: frozenset[str]) -> int:
    """How much less this name weighs than the plainest name: narrowing words and length."""
    return (
        NARROWING_PENALTY * sum(1 for word in narrowing if word in name) + min(len(name), 24) // 4
    )


def add_name(add: Add, name: str, narrowing: frozenset[str], *, inner: int = W_NAME) -> None:
    """Suffixes, pinyin, initials and fuzzy pinyin of a Chinese name."""
    name = re.sub(r"\s+", "", normalise(name))
    less = _name_weight(name, narrowing)
    for start in range(len(name)):
        add(name[start:], (W_NAME_START if start == 0 else inner) - less)
    pinyin = syllables(name)
    initials = [s[0] for s in pinyin]
    for start in range(len(pinyin)):
        weight = (W_PINYIN_FULL if start == 0 else W_PINYIN) - less
        joined = "".join(pinyin[start:])
        add(joined, weight)
        add(FUZZY_MARK + fuzzy_pinyin(joined), weight)
        if len(initials) - start >= 2:
            add("".join(initials[start:]), weight)


def add_english(add: Add, text: str, weight: int) -> None:
    """Stems of English words; each word beyond the second weighs a little off (shorter
    names are the general ones)."""
    found = LATIN_WORD.findall(normalise(text).replace("'s", ""))
    less = 3 * max(0, len(found) - 2)
    for word in found:
        add(english_key(word), weight - less)


def add_words(add: Add, text: str, weight: int) -> None:
    """jieba's words of a text other than the name, marked as such (``#``): they sort apart
    from name keys, so a common word's thousands of description keys never crowd out the
    names that carry it (search reads a capped number of each)."""
    for word in words(normalise(text)):
        if len(word) > 1 and (is_cjk(word) or LATIN_WORD.fullmatch(word)):
            add(TEXT_MARK + word, weight)


def tokens_for(service: Service, narrowing: frozenset[str] | None = None) -> dict[str, int]:
    """The search keys of a service with their weights (the best weight per key)."""
    if narrowing is None:
        narrowing = vocabulary.load().narrowing
    tokens, add = _collector()
    add(normalise(service.code), W_CODE)
    add_name(add, service.name, narrowing)
    add_english(add, service.name_en, W_ENGLISH)
    add_words(add, service.description, W_DESCRIPTION)
    add_words(add, service.category.name, W_CATEGORY)
    add_words(add, service.department.name, W_DEPARTMENT)
    return tokens


def tokens_for_bundle(bundle: Bundle, narrowing: frozenset[str] | None = None) -> dict[str, int]:
    """A bundle's keys: its name like a service's, its English name, the words of its life
    event in Chinese and English, and its description."""
    if narrowing is None:
        narrowing = vocabulary.load().narrowing
    tokens, add = _collector()
    # A bundle's short name is its life event: every word in it weighs as the start of a name.
    add_name(add, bundle.name.removesuffix("一件事"), frozenset(), inner=W_NAME_START)
    add_english(add, bundle.name_en, W_ENGLISH)
    label = bundle.get_life_event_display()
    with translation.override("zh-hans"):
        add_words(add, str(label), W_EVENT)
    with translation.override("en"):
        add_english(add, str(label), W_EVENT)
    add_words(add, bundle.description, W_BUNDLE_TEXT)
    return tokens


def index_services(services: Iterable[Service]) -> int:
    """Rebuild the search keys of these services (category and department loaded). Only
    published services have keys: search reads the index without asking the service table."""
    narrowing = vocabulary.load().narrowing
    rows: list[SearchToken] = []
    ids = []
    for service in services:
        ids.append(service.pk)
        if not service.is_published:
            continue
        rows.extend(
            SearchToken(service_id=service.pk, token=token, weight=weight)
            for token, weight in tokens_for(service, narrowing).items()
        )
    with transaction.atomic():
        SearchToken.objects.filter(service_id__in=ids).delete()
        SearchToken.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def index_bundles(bundles: Iterable[Bundle]) -> int:
    """Rebuild the search keys of these bundles."""
    narrowing = vocabulary.load().narrowing
    rows: list[BundleSearchToken] = []
    ids = []
    for bundle in bundles:
        ids.append(bundle.pk)
        if not bundle.is_published:
            continue
        rows.extend(
            BundleSearchToken(bundle_id=bundle.pk, token=token, weight=weight)
            for token, weight in tokens_for_bundle(bundle, narrowing).items()
        )
    with transaction.atomic():
        BundleSearchToken.objects.filter(bundle_id__in=ids).delete()
        BundleSearchToken.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reindex_all(batch: int = 500) -> int:
    """Rebuild every service's and bundle's keys (after a weight or narrowing-word change)."""
    vocabulary.forget()
    count = index_bundles(Bundle.objects.all())
    queryset = Service.objects.select_related("category", "department").order_by("pk")
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:batch])
        if not chunk:
            return count
        count += index_services(chunk)
        last = chunk[-1].pk

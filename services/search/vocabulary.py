"""The words search understands, from the ``SearchWord`` table, compiled once and cached.

Reading the table costs a query; search reads it from the cache (Django's, shared by the
processes) and keeps a compiled copy per process, so a search request runs its constant
number of queries and no more. Saving or deleting a word, a bundle or a service clears it.
A request reads only the cached copy's stamp (a few bytes): unpickling the whole vocabulary
on every keystroke cost about a millisecond, and rebuilding what is derived from it more.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from importlib import resources

from django.core.cache import cache

from services.search.text import (
    CJK_RUN,
    FUZZY_MARK,
    LATIN_WORD,
    english_key,
    fuzzy_pinyin,
    normalise,
    syllables,
)

CACHE_KEY = "services:search:vocabulary:v3"
STAMP_KEY = "services:search:vocabulary:stamp"
# Every change is signalled; the expiry only bounds how stale the catalogue's size may get.
CACHE_SECONDS = 3600
# The meaning of a narrowing word that names an action or a kind of paper (补领, 转移, 证明),
# never the thing asked about.
GENERIC = "generic"


@dataclass(frozen=True)
class Vocabulary:
    """Everyday phrases with their official words, filler, areas, narrowing words, and the
    catalogue's size (for word weights) and bundle names (for "did you mean")."""

    colloquial: dict[str, tuple[str, ...]] = field(default_factory=dict)
    filler: frozenset[str] = frozenset()
    areas: dict[str, str] = field(default_factory=dict)  # any name → the area's own name
    narrowing: frozenset[str] = frozenset()
    generic_words: frozenset[str] = frozenset()  # narrowing words that name no thing
    services: int = 1
    bundles: tuple[tuple[str, str, str], ...] = ()  # (slug, name, English name)
    pinyin: dict[str, str] = field(default_factory=dict)  # shebao → 社保
    # English phrases of several words by their stems: ("busi", "licens") → business license
    english: dict[tuple[str, ...], str] = field(default_factory=dict)

    def generic(self, key: str) -> bool:
        """Whether ``key`` names an action or a kind of paper (补领, 转移, 证明; permit), not a
        thing: a narrowing word marked generic (English ones also as their stems)."""
        return key in self.generic_words

    def phrases(self) -> list[str]:
        """Everyday phrases and area names, longest first: the query is scanned for these."""
        return sorted({*self.colloquial, *self.areas}, key=lambda p: (-len(p), p))


_local: tuple[str, Vocabulary] | None = None  # this process's compiled copy and its stamp


def parse_seed(text: str) -> list[tuple[str, str, str]]:
    """(kind, phrase, means) rows of the seed file's sections."""
    rows: list[tuple[str, str, str]] = []
    kind = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if section := re.fullmatch(r"\[(\w+)\]", line):
            kind = section.group(1)
            continue
        if kind == "generic":  # a narrowing word marked generic (no kind of its own)
            rows.append(("narrowing", normalise(line), GENERIC))
            continue
        phrase, _sep, means = line.partition("=")
        rows.append((kind, normalise(phrase), " ".join(normalise(means).split())))
    return rows


def seed_rows() -> list[tuple[str, str, str]]:
    return parse_seed((resources.files("services.search") / "seed_words.txt").read_text("utf-8"))


def compile_words(rows: list[tuple[str, str, str]], services: int, bundles: list) -> Vocabulary:
    colloquial: dict[str, tuple[str, ...]] = {}
    areas: dict[str, str] = {}
    filler: set[str] = set()
    narrowing: set[str] = set()
    generic: set[str] = set()
    for kind, phrase, means in rows:
        phrase = normalise(phrase)
        if not phrase:
            continue
        if kind == "colloquial":
            colloquial[phrase] = tuple(dict.fromkeys(normalise(means).split()))
        elif kind == "filler":
            filler.add(phrase)
        elif kind == "area":
            areas[phrase] = phrase
            for other in normalise(means).split():
                areas.setdefault(other, phrase)
        elif kind == "narrowing":
            narrowing.add(phrase)
            if means.strip() == GENERIC:
                generic.add(phrase)
                if LATIN_WORD.fullmatch(phrase):
                    generic.add(english_key(phrase))
    # Everyday words typed in pinyin (shebao), with southern slips (sebao), or as initials of
    # three or more letters (sbk): two letters are too ambiguous.
    pinyin: dict[str, str] = {}
    for phrase in sorted(colloquial, key=len):
        if len(phrase) > 1 and CJK_RUN.fullmatch(phrase):
            spelled = syllables(phrase)
            pinyin.setdefault("".join(spelled), phrase)
            pinyin.setdefault(FUZZY_MARK + fuzzy_pinyin("".join(spelled)), phrase)
            if len(spelled) >= 3:
                pinyin.setdefault("".join(s[0] for s in spelled), phrase)
    english = {
        tuple(english_key(w) for w in phrase.split()): phrase
        for phrase in colloquial
        if " " in phrase and all(LATIN_WORD.fullmatch(w) for w in phrase.split())
    }
    return Vocabulary(
        pinyin=pinyin,
        english=english,
        colloquial=colloquial,
        filler=frozenset(filler),
        areas=areas,
        narrowing=frozenset(narrowing),
        generic_words=frozenset(generic),
        services=max(1, services),
        bundles=tuple((slug, name, name_en) for slug, name, name_en in bundles),
    )


def load() -> Vocabulary:
    """The vocabulary: this process's copy while the cache's stamp is the same, else the
    cache's, else compiled from the tables (and cached)."""
    global _local
    stamp = cache.get(STAMP_KEY)
    if stamp is not None and _local is not None and _local[0] == stamp:
        return _local[1]
    cached = cache.get(CACHE_KEY)
    if stamp is not None and isinstance(cached, tuple) and cached[0] == stamp:
        _local = cached
        return cached[1]
    from services.models import Bundle, SearchWord, Service

    rows = list(SearchWord.objects.values_list("kind", "phrase", "means"))
    vocabulary = compile_words(
        rows,
        Service.objects.published().count(),
        list(Bundle.objects.published().values_list("slug", "name", "name_en")),
    )
    _local = (uuid.uuid4().hex, vocabulary)
    cache.set_many({CACHE_KEY: _local, STAMP_KEY: _local[0]}, CACHE_SECONDS)
    return vocabulary


def forget() -> None:
    """Clear the cached vocabulary (after a word, a bundle or the catalogue changed)."""
    global _local
    _local = None
    cache.delete_many([CACHE_KEY, STAMP_KEY])

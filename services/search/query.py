"""A query as search understands it: terms, each with the keys that count as a match.

The query is normalised (full-width, traditional characters, case), scanned for everyday
phrases and area names from the vocabulary, and the rest cut into words by jieba; filler
words go. Each term matches by its own keys (``exact``), the official words its everyday
phrase means (``official``), the fuzzy pinyin of Latin letters (``fuzzy``: z/zh, c/ch, s/sh,
n/l, in/ing, en/eng) and, for longer pinyin, the same with one letter left out (``slips``).
An area name is an optional term: it lifts services of that area, never excludes others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from services.search.text import (
    CHUNK,
    FUZZY_MARK,
    cut,
    english_key,
    fuzzy_pinyin,
    is_cjk,
    normalise,
)
from services.search.vocabulary import Vocabulary

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_SLIPS = 10
TOKEN_LENGTH = 64


class QueryTooLong(ValueError):
    """A search query longer than ``MAX_QUERY_LENGTH`` characters."""

    def user_message(self) -> str:
        return _("Search for at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}


@dataclass(frozen=True)
class Term:
    """One thing the query asks for, and the keys (prefixes) that match it."""

    text: str
    exact: tuple[str, ...]
    official: tuple[str, ...] = ()  # what an everyday phrase may mean
    fuzzy: tuple[str, ...] = ()
    slips: tuple[str, ...] = ()
    optional: bool = False
    primary: tuple[str, ...] = ()  # what an everyday phrase means first: as good as exact

    def keys(self) -> tuple[str, ...]:
        return (*self.exact, *self.primary, *self.official, *self.fuzzy, *self.slips)


def _unique(*groups: tuple[str, ...] | list[str]) -> list[tuple[str, ...]]:
    """Each group without keys seen in an earlier group, keys cut to the token length."""
    seen: set[str] = set()
    result = []
    for group in groups:
        kept = []
        for key in group:
            key = key[:TOKEN_LENGTH]
            if key and key not in seen:
                seen.add(key)
                kept.append(key)
        result.append(tuple(kept))
    return result


def _official_keys(means: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(word if is_cjk(word) else english_key(word) for word in means)


def latin_term(word: str, vocabulary: Vocabulary) -> Term | None:
    """A run of letters and digits: a code, pinyin, initials or an English word."""
    word = word.strip("'-")
    # One letter is no word: as a prefix it would match a third of the index.
    if len(word) < 2 or word in vocabulary.filler:
        return None
    exact = [word]
    if word.isalpha():
        exact.append(english_key(word))
    # An everyday word typed in pinyin (shebao: 社保) means what the word means; with a slip
    # (sebao) it counts as much as an official word, below the exact spelling.
    phrase = vocabulary.pinyin.get(word, "")
    slipped = "" if phrase else vocabulary.pinyin.get(FUZZY_MARK + fuzzy_pinyin(word), "")
    if phrase:
        exact.append(phrase)
    meaning = _official_keys(
        vocabulary.colloquial.get(word) or vocabulary.colloquial.get(phrase or slipped, ())
    )
    primary, official = ((), (slipped, *meaning)) if slipped else (meaning[:1], meaning[1:])
    fuzzy: list[str] = []
    slips: list[str] = []
    if word.isalpha() and len(word) >= 3:
        folded = fuzzy_pinyin(word)
        fuzzy.append(FUZZY_MARK + folded)
        if len(folded) >= 6:
            folded = folded[:16]
            slips = [FUZZY_MARK + folded[:i] + folded[i + 1 :] for i in range(len(folded))]
            slips = slips[-MAX_SLIPS:]
    e, p, o, f, s = _unique(exact, primary, official, fuzzy, slips)
    return Term(word, e, o, f, s, primary=p)


def _phrase_scan(chunk: str, phrases: dict[str, list[str]]) -> list[tuple[str, str]]:
    """("phrase", p) for each vocabulary phrase found (longest first, left to right) and
    ("text", t) for what lies between."""
    pieces: list[tuple[str, str]] = []
    rest = ""
    i = 0
    while i < len(chunk):
        found = next((p for p in phrases.get(chunk[i], ()) if chunk.startswith(p, i)), None)
        if found:
            if rest:
                pieces.append(("text", rest))
                rest = ""
            pieces.append(("phrase", found))
            i += len(found)
        else:
            rest += chunk[i]
            i += 1
    if rest:
        pieces.append(("text", rest))
    return pieces


_phrase_index_cache: dict[int, dict[str, list[str]]] = {}


def _phrase_index(vocabulary: Vocabulary) -> dict[str, list[str]]:
    key = id(vocabulary)
    index = _phrase_index_cache.get(key)
    if index is None:
        index = {}
        for phrase in vocabulary.phrases():  # longest first
            if is_cjk(phrase):
                index.setdefault(phrase[0], []).append(phrase)
        _phrase_index_cache.clear()
        _phrase_index_cache[key] = index
    return index


def _chinese_terms(chunk: str, vocabulary: Vocabulary) -> list[Term]:
    terms: list[Term] = []
    for kind, piece in _phrase_scan(chunk, _phrase_index(vocabulary)):
        if kind == "phrase":
            if piece in vocabulary.areas:
                area = vocabulary.areas[piece]
                names = (area, *(p for p, a in vocabulary.areas.items() if a == area))
                (e,) = _unique(names)
                terms.append(Term(piece, e, optional=True))
            else:
                meaning = _official_keys(vocabulary.colloquial[piece])
                e, p, o = _unique((piece,), meaning[:1], meaning[1:])
                terms.append(Term(piece, e, o, primary=p))
            continue
        glued: list[str] = []
        previous_kept = False
        for word in cut(piece):
            if word in vocabulary.filler:
                previous_kept = False
                continue
            if len(word) == 1 and previous_kept and glued:
                glued[-1] += word  # 残疾人|证 → 残疾人证: precise, still a substring of names
            else:
                glued.append(word)
            previous_kept = True
        terms.extend(Term(word, (word[:TOKEN_LENGTH],)) for word in glued)
    return terms


def parse(query: str, vocabulary: Vocabulary) -> list[Term]:
    """The terms of a query, at most ``MAX_TERMS``. Raises ``QueryTooLong``."""
    if len(query or "") > MAX_QUERY_LENGTH:
        raise QueryTooLong(query[:20])
    text = normalise(query)
    terms: list[Term] = []
    letters = ""  # single letters typed apart (y y z z) are one run of initials
    chunks = CHUNK.findall(text)
    for n, chunk in enumerate(chunks):
        if len(chunk) == 1 and chunk.isalpha() and chunk.isascii():
            letters += chunk
            if n + 1 < len(chunks) and len(chunks[n + 1]) == 1 and chunks[n + 1].isascii():
                continue
            chunk, letters = letters, ""
        if is_cjk(chunk):
            terms.extend(_chinese_terms(chunk, vocabulary))
        else:
            # An English phrase of the vocabulary (two words) is one term.
            term = latin_term(chunk, vocabulary)
            if term:
                terms.append(term)
    # A lone Chinese character beside other words says little and matches thousands of names.
    if any(len(t.text) > 1 or not is_cjk(t.text) for t in terms if not t.optional):
        terms = [t for t in terms if t.optional or len(t.text) > 1 or not is_cjk(t.text)]
    unique: dict[str, Term] = {}
    for term in terms:
        unique.setdefault(term.text, term)
    required = [t for t in unique.values() if not t.optional]
    optional = [t for t in unique.values() if t.optional]
    return (required[:MAX_TERMS] + optional)[:MAX_TERMS]


def shown(terms: list[Term]) -> list[str]:
    return [re.sub(r"\s+", " ", t.text) for t in terms]

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
from dataclasses import dataclass, replace
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from services.search.text import (
    CHUNK,
    FUZZY_MARK,
    cut,
    english_key,
    fuzzy_pinyin,
    is_cjk,
    jieba_module,
    normalise,
    pinyin_syllables,
    syllables,
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
    # Names an action or a kind of paper (丢了, 转移, 证明, permit), or is two bare letters:
    # it ranks, but never alone keeps an item when another word names the thing asked about.
    generic: bool = False
    # How a Chinese word nothing has may be read instead: by its sound (结昏: jiehun, typed
    # with a pinyin keyboard), or as the start of an everyday phrase (租房: 租房子).
    sound: str = ""
    # The word typed right after it, nothing between (车辆|年检, 教师|资格证): if that is a
    # noun, the two may name one thing (engine: a word nothing has there names another).
    after: str = ""

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
    # A slip counts as much as an official word, what the word means beyond the first as
    # fuzzy pinyin (yingye zhizao: 营业执照 before 设立登记).
    primary, official = ((), (slipped, *meaning[:1])) if slipped else (meaning[:1], meaning[1:])
    fuzzy: list[str] = list(meaning[1:]) if slipped else []
    slips: list[str] = []
    if word.isalpha() and len(word) >= 3:
        folded = fuzzy_pinyin(word)
        fuzzy.append(FUZZY_MARK + folded)
        if len(folded) >= 6:
            folded = folded[:16]
            slips = [FUZZY_MARK + folded[:i] + folded[i + 1 :] for i in range(len(folded))]
            slips = slips[-MAX_SLIPS:]
    e, p, o, f, s = _unique(exact, primary, official, fuzzy, slips)
    # Two letters with no meaning of their own (hk, sb) are initials matching hundreds of
    # names: like a lone character they say little.
    bare = len(word) <= 2 and english_key(word) == word and not phrase
    generic = bare or _generic(vocabulary, english_key(word), meaning[:1])
    return Term(word, e, o, f, s, primary=p, generic=generic)


def _generic(vocabulary: Vocabulary, text: str, primary: tuple[str, ...]) -> bool:
    """A word is generic if it is a narrowing word or means one first (丢了: 补领)."""
    return vocabulary.generic(text) or any(vocabulary.generic(key) for key in primary)


def _english_phrase(words: list[str], vocabulary: Vocabulary) -> Term | None:
    """An English phrase of the vocabulary (business licence), its words compared as stems."""
    phrase = vocabulary.english.get(tuple(english_key(w) for w in words))
    if not phrase:
        return None
    meaning = _official_keys(vocabulary.colloquial[phrase])
    p, o = _unique(meaning[:1], meaning[1:])
    return Term(phrase, (), o, primary=p, generic=_generic(vocabulary, phrase, meaning[:1]))


def _latin_words(chunks: list[str], vocabulary: Vocabulary) -> list[str]:
    """Pinyin typed in separate syllables joins like the unspaced form: ``jia zhao`` is
    ``jiazhao``. A run of pinyin words is one word when the joined form is an everyday word's
    pinyin (``yingye zhizao``: 营业执照); single syllables join into the everyday words they
    spell and the rest (``jie hun deng ji``: jiehun dengji); other words stay apart
    (``gongjijin tiqu``)."""
    result: list[str] = []
    run: list[str] = []

    def flush() -> None:
        joined = "".join(run)
        known = joined in vocabulary.pinyin or (
            FUZZY_MARK + fuzzy_pinyin(joined) in vocabulary.pinyin
        )
        if len(run) > 1 and known:
            result.append(joined)
        elif len(run) > 1 and all(len(pinyin_syllables(w) or ()) == 1 for w in run):
            result.extend(_syllable_words(run, vocabulary))
        else:
            result.extend(run)
        run.clear()

    for chunk in chunks:
        if chunk.isascii() and chunk.isalpha() and pinyin_syllables(chunk):
            if chunk in vocabulary.filler and not run:
                result.append(chunk)
                continue
            run.append(chunk)
            continue
        if run:
            flush()
        result.append(chunk)
    if run:
        flush()
    return result


def _syllable_words(run: list[str], vocabulary: Vocabulary) -> list[str]:
    """Syllables typed apart, joined into words: the longest everyday words the vocabulary
    spells first (shen fen zheng bu ban: shenfenzheng buban), what lies between joined."""
    words: list[str] = []
    rest = ""
    i = 0
    while i < len(run):
        for j in range(len(run), i + 1, -1):
            joined = "".join(run[i:j])
            if (
                joined in vocabulary.pinyin
                or FUZZY_MARK + fuzzy_pinyin(joined) in vocabulary.pinyin
            ):
                words.extend([rest, joined] if rest else [joined])
                rest = ""
                i = j
                break
        else:
            rest += run[i]
            i += 1
    return [*words, rest] if rest else words


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
            # A one-character everyday word (取: 提取) counts only where jieba leaves it alone:
            # scanned for, it would split words (领取, 取消).
            if is_cjk(phrase) and len(phrase) > 1:
                index.setdefault(phrase[0], []).append(phrase)
        _phrase_index_cache.clear()
        _phrase_index_cache[key] = index
    return index


@dataclass
class _Unit:
    """A word of a Chinese run after filler is gone."""

    text: str
    phrase: bool  # a vocabulary phrase (everyday word or area)
    piece: int  # which scanned piece it came from
    after_gap: bool  # filler stood between it and the word before


_filler_cache: list[tuple[Vocabulary, list[str]]] = []


def _chinese_filler(vocabulary: Vocabulary) -> list[str]:
    """The Chinese filler words, longest first, sorted once per compiled vocabulary (sorting
    them for every word of a long query cost more than the rest of its parsing)."""
    if _filler_cache and _filler_cache[0][0] is vocabulary:
        return _filler_cache[0][1]
    found = sorted((f for f in vocabulary.filler if is_cjk(f)), key=len, reverse=True)
    _filler_cache[:] = [(vocabulary, found)]
    return found


def _strip_filler(word: str, vocabulary: Vocabulary, known: set[str]) -> str:
    """A word jieba glued filler to (刚出生, 要办理) without it, if what is left is a word."""
    for filler in _chinese_filler(vocabulary):
        if len(word) - len(filler) < 2:
            continue
        for rest in (word.removeprefix(filler), word.removesuffix(filler)):
            if rest != word and (rest in known or jieba_module().dt.FREQ.get(rest)):
                return rest
    return word


def _units(chunk: str, vocabulary: Vocabulary) -> list[_Unit]:
    """The words of a Chinese run, vocabulary phrases first, filler dropped; then words that
    filler had kept apart and that make an everyday phrase together meet again: 孩子|刚|出生
    is 孩子出生, and a lone verb meets its object on either side (公积金|怎么|取: 取公积金)."""
    phrases = _phrase_index(vocabulary)
    known = {*vocabulary.colloquial, *vocabulary.areas}
    units: list[_Unit] = []
    gap = False
    for n, (kind, piece) in enumerate(_phrase_scan(chunk, phrases)):
        if kind == "phrase":
            units.append(_Unit(piece, True, n, gap))
            gap = False
            continue
        for word in cut(piece):
            if word in vocabulary.filler:
                gap = True
                continue
            word = _strip_filler(word, vocabulary, known)
            units.append(_Unit(word, word in known, n, gap))
            gap = False
    merged: list[_Unit] = []
    for unit in units:
        if merged:
            before = merged[-1]
            candidates = [before.text + unit.text]
            if len(before.text) == 1 or len(unit.text) == 1:
                candidates.append(unit.text + before.text)
            phrase = next((c for c in candidates if c in vocabulary.colloquial), None)
            if phrase:
                merged[-1] = _Unit(phrase, True, unit.piece, before.after_gap)
                continue
        merged.append(unit)
    return _sound_alike(merged, vocabulary)


SOUND_WINDOW = 4  # words
SOUND_CHARACTERS = 8


def _sound_alike(units: list[_Unit], vocabulary: Vocabulary) -> list[_Unit]:
    """Neighbouring words that sound like an everyday phrase but are written otherwise are
    that phrase, typed with a pinyin keyboard's wrong character (社保|咔: 社保卡, 户口|签|移:
    户口迁移, 营业|只|照: 营业执照). Only a run that is no word of its own and holds a
    piece that is no word either (a lone character, or one jieba does not know): 事业 is a
    word, not a slip of 失业."""
    result: list[_Unit] = []
    i = 0
    while i < len(units):
        for j in range(min(len(units), i + SOUND_WINDOW), i + 1, -1):
            run = units[i:j]
            written = "".join(u.text for u in run)
            if (
                len(written) > SOUND_CHARACTERS
                or any(u.after_gap for u in run[1:])
                or written in vocabulary.colloquial
                or _is_word(written)
                or not any(not u.phrase and (len(u.text) == 1 or not _is_word(u.text)) for u in run)
            ):
                continue
            spelled = "".join(syllables(written))
            phrase = vocabulary.pinyin.get(spelled) or vocabulary.pinyin.get(
                FUZZY_MARK + fuzzy_pinyin(spelled)
            )
            if phrase and is_cjk(phrase):
                result.append(_Unit(phrase, True, run[-1].piece, run[0].after_gap))
                i = j
                break
        else:
            result.append(units[i])
            i += 1
    return result


def _is_word(text: str) -> bool:
    return bool(jieba_module().dt.FREQ.get(text))


def _chinese_terms(chunk: str, vocabulary: Vocabulary) -> list[Term]:
    terms: list[Term] = []
    glued: _Unit | None = None  # the last plain word, which a lone character may join
    # Which term each word became, to tell what stands right after what.
    made: list[tuple[int, bool]] = []  # (term index, after a gap)
    for unit in _units(chunk, vocabulary):
        made.append((len(terms), unit.after_gap))
        piece = unit.text
        if unit.phrase:
            glued = None
            if piece in vocabulary.areas:
                area = vocabulary.areas[piece]
                names = (area, *(p for p, a in vocabulary.areas.items() if a == area))
                (e,) = _unique(names)
                terms.append(Term(piece, e, optional=True))
            else:
                meaning = _official_keys(vocabulary.colloquial[piece])
                e, p, o = _unique((piece,), meaning[:1], meaning[1:])
                generic = _generic(vocabulary, piece, meaning[:1])
                terms.append(Term(piece, e, o, primary=p, generic=generic))
            continue
        if (
            len(piece) == 1
            and glued is not None
            and not unit.after_gap
            and unit.piece == glued.piece
            and terms
        ):
            # 残疾人|证 → 残疾人证: precise, still a substring of names
            glued = _Unit(glued.text + piece, False, unit.piece, glued.after_gap)
            terms[-1] = _plain_term(glued.text, vocabulary)
            made[-1] = (len(terms) - 1, unit.after_gap)
            continue
        glued = unit
        terms.append(_plain_term(piece, vocabulary))
    # Two terms typed one right after the other (no filler, no lone character between).
    for (first, _gap), (second, gap) in pairwise(made):
        if second == first + 1 and not gap and second < len(terms):
            terms[first] = replace(terms[first], after=terms[second].text)
    return terms


def _plain_term(word: str, vocabulary: Vocabulary) -> Term:
    word = word[:TOKEN_LENGTH]
    sound = "".join(syllables(word)) if len(word) > 1 else ""
    return Term(word, (word,), generic=vocabulary.generic(word), sound=sound)


def reread(term: Term, vocabulary: Vocabulary) -> Term | None:
    """Another reading of a Chinese word nothing in the catalogue has: the everyday phrase it
    is with the noun suffix 子 (租房: 租房子), else its sound as pinyin (结昏: jiehun, 身分证:
    shenfenzheng), which finds the names and everyday words that sound so; or None."""
    if not term.sound:
        return None
    phrase = term.text + "子"  # the everyday noun suffix: 租房 is 租房子, 房 is 房子
    if phrase in vocabulary.colloquial:
        meaning = _official_keys(vocabulary.colloquial[phrase])
        p, o = _unique(meaning[:1], meaning[1:])
        return Term(
            term.text, (), o, primary=p, generic=_generic(vocabulary, phrase, p), after=term.after
        )
    read = latin_term(term.sound, vocabulary)
    if read is None:
        return None
    # A guess: the sound ranks as fuzzy pinyin does, and no letter is left out.
    return Term(
        term.text,
        (),
        read.primary + read.official,
        fuzzy=read.exact + read.fuzzy,
        generic=term.generic or read.generic,
        after=term.after,
    )


def parse(query: str, vocabulary: Vocabulary) -> list[Term]:
    """The terms of a query, at most ``MAX_TERMS``. Raises ``QueryTooLong``."""
    if len(query or "") > MAX_QUERY_LENGTH:
        raise QueryTooLong(query[:20])
    text = normalise(query)
    terms: list[Term] = []
    letters = ""  # single letters typed apart (y y z z) are one run of initials
    raw = CHUNK.findall(text)
    chunks: list[str] = []
    for n, chunk in enumerate(raw):
        if len(chunk) == 1 and chunk.isalpha() and chunk.isascii():
            letters += chunk
            if n + 1 < len(raw) and len(raw[n + 1]) == 1 and raw[n + 1].isascii():
                continue
            chunk, letters = letters, ""
        chunks.append(chunk)
    chunks = _latin_words(chunks, vocabulary)
    n = 0
    while n < len(chunks):
        chunk = chunks[n]
        if is_cjk(chunk):
            terms.extend(_chinese_terms(chunk, vocabulary))
            n += 1
            continue
        # An English phrase of the vocabulary (two or three words) is one term.
        for size in (3, 2):
            run = chunks[n : n + size]
            if len(run) == size and not any(is_cjk(w) for w in run):
                phrase = _english_phrase(run, vocabulary)
                if phrase:
                    terms.append(phrase)
                    n += size
                    break
        else:
            term = latin_term(chunk, vocabulary)
            if term:
                terms.append(term)
            n += 1
    # A lone Chinese character beside other words says little and matches thousands of names.
    # A one-character everyday word (取: 提取) is kept.
    if any(len(t.text) > 1 or not is_cjk(t.text) for t in terms if not t.optional):
        terms = [
            t
            for t in terms
            if t.optional
            or len(t.text) > 1
            or not is_cjk(t.text)
            or t.text in vocabulary.colloquial
        ]
    unique: dict[str, Term] = {}
    for term in terms:
        unique.setdefault(term.text, term)
    required = [t for t in unique.values() if not t.optional]
    optional = [t for t in unique.values() if t.optional]
    return (required[:MAX_TERMS] + optional)[:MAX_TERMS]


def shown(terms: list[Term]) -> list[str]:
    return [re.sub(r"\s+", " ", t.text) for t in terms]

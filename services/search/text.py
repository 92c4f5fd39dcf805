"""Text to search keys: normalising, traditional to simplified, Chinese words, pinyin
(exact and fuzzy), English stems. Used alike for indexing and for queries."""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from functools import lru_cache
from typing import Any

import jieba
import opencc
import snowballstemmer
from pypinyin import lazy_pinyin

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_RUN = re.compile(rf"[{CJK}]+")
# Hyphens separate words (ID-card is ID card); an apostrophe belongs to one (driver's).
CHUNK = re.compile(rf"[{CJK}]+|[a-z0-9][a-z0-9']*")
LATIN_WORD = re.compile(r"[a-z0-9]+")

# Fuzzy keys start with this character, which no word does: they live beside the exact keys
# in one token index without ever matching an exact key's prefix.
FUZZY_MARK = "~"
# Keys from descriptions, categories and departments start with this one.
TEXT_MARK = "#"

_jieba_lock = threading.Lock()
_jieba_ready = False
_converter = opencc.OpenCC("t2s")
_stemmer = snowballstemmer.stemmer("english")

# British and American spellings meet in one form before stemming (licence → license).
SPELLINGS = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "centre": "center",
    "centres": "centers",
    "colour": "color",
    "labour": "labor",
    "enrolment": "enrollment",
    "enrol": "enroll",
    "organisation": "organization",
    "organisations": "organizations",
    "programme": "program",
    "cheque": "check",
    "defence": "defense",
    "practise": "practice",
    "neighbour": "neighbor",
    "favour": "favor",
    "registry": "registration",
    "cancelling": "canceling",
    "cancelled": "canceled",
    "driver": "driving",
    "drivers": "driving",
    "id": "identity",
    "company": "company",
}


def jieba_module() -> Any:
    """jieba, initialised once, quietly, with its cache in the temporary directory."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = tempfile.gettempdir()
                jieba.initialize()
                _jieba_ready = True
    return jieba


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), traditional to simplified (OpenCC), lower case,
    without NUL bytes. Converting the whole text keeps OpenCC's phrase rules (乾燥 vs 乾坤)."""
    text = unicodedata.normalize("NFKC", text or "").replace("\x00", "").lower().strip()
    return to_simplified(text)


def to_simplified(text: str) -> str:
    """Traditional characters to simplified ones (OpenCC's t2s data); other text unchanged."""
    return _converter.convert(text) if CJK_RUN.search(text) else text


def is_cjk(text: str) -> bool:
    return bool(text) and CJK_RUN.fullmatch(text) is not None


_tags: dict[str, str] | None = None


def word_class(word: str) -> str | None:
    """jieba's part of speech of a dictionary word (n, v, vn…), None for a word it does not
    know. Its table is read on first use (about a second): only queries with a word nothing
    in the catalogue has ask."""
    global _tags
    if _tags is None:
        with _jieba_lock:
            if _tags is None:
                jieba_module()
                import jieba.posseg

                _tags = jieba.posseg.dt.word_tag_tab
    return _tags.get(word)


def is_noun(word: str) -> bool:
    """Whether a Chinese word may be the head noun of a name: a noun, an abbreviation or a
    verbal noun in jieba's dictionary (年检, 资格证, 违章), or a word it does not know (most
    are names of things)."""
    tag = word_class(word)
    return tag is None or tag.startswith(("n", "j", "l")) or tag == "vn"


def words(text: str) -> list[str]:
    """jieba's search-mode words of a Chinese text (overlapping: 营业执照 and 执照)."""
    return [w for w in jieba_module().cut_for_search(text) if w.strip()]


def cut(text: str) -> list[str]:
    """jieba's words of a Chinese text, not overlapping."""
    return [w for w in jieba_module().cut(text) if w.strip()]


@lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """The pinyin of each Chinese character, tone marks dropped."""
    return tuple(s for s in lazy_pinyin(text, errors="ignore") if s.isalnum())


@lru_cache(maxsize=1)
def _syllable_set() -> frozenset[str]:
    """Every toneless pinyin syllable (ü as v and as u), from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", reading) if not unicodedata.combining(c)
            )
            found.update({plain, plain.replace("ü", "v"), plain.replace("ü", "u")})
    return frozenset(s for s in found if s.isascii() and s.isalpha())


@lru_cache(maxsize=4096)
def pinyin_syllables(word: str) -> tuple[str, ...] | None:
    """``word`` cut into pinyin syllables (``jiazhao`` → jia zhao), or None if it is not pinyin.
    The southern slips fuzzy keys accept (zizao for zhizhao) are pinyin too."""
    known = _syllable_set()
    n = len(word)
    # best[i]: a cut of word[:i] into the fewest syllables
    best: list[tuple[str, ...] | None] = [()] + [None] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            head = best[start]
            if (
                head is not None
                and word[start:end] in known
                and (best[end] is None or len(head) + 1 < len(best[end] or ()))
            ):
                best[end] = (*head, word[start:end])
    return best[n] if n else None


# Southern speakers' confusions, one key for each pair: zh/z, ch/c, sh/s, l/n, ing/in, eng/en.
# Applied to a whole typed string, not syllable by syllable, so the index applies it to the
# joined syllables the same way.
_FUZZY_RULES = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ing", "in"), ("eng", "en"), ("l", "n")]


def fuzzy_pinyin(text: str) -> str:
    """The fuzzy key of a pinyin string: every confusable pair folded to one spelling."""
    for long, short in _FUZZY_RULES:
        text = text.replace(long, short)
    return text


def english_key(word: str) -> str:
    """The stem of an English word after spelling variants meet (licences → licens)."""
    word = word.strip("'-").replace("'s", "").replace("'", "")
    word = SPELLINGS.get(word, word)
    return str(_stemmer.stemWord(word)) if word.isalpha() and len(word) > 3 else word

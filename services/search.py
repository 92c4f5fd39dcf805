"""Chinese catalogue search: a token table filled when a service is saved, one query to read.

Each service gets weighted tokens (see ``tokens_for``): every suffix of its name (so a prefix
match on a token is a substring match on the name), the pinyin and pinyin initials of the name
from each syllable on, synonyms of words it contains, its English words, its code, and the
jieba words of its description, category and department. A query is cut into terms (jieba for
Chinese, runs of letters and digits otherwise); a service matches when every term is a prefix
of one of its tokens, and ranks by the sum over terms of the best weight matched. See
docs/adr/0004-catalogue-search.md for the measurements behind the design.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

import jieba
from django.db import connection, transaction
from django.db.models import (
    Case,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from services.models import SearchToken, Service

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
TOKEN_LENGTH = 64

# Weights: any name match outranks every match elsewhere (description, category, department).
W_CODE = 200
W_NAME_START = 100
W_NAME = 80
W_SYNONYM = 70
W_PINYIN_FULL = 60
W_PINYIN = 50
W_ENGLISH = 40
W_TEXT_SYNONYM = 15
W_CATEGORY = 15
W_DESCRIPTION = 10
W_DEPARTMENT = 5

# Each group names one thing; a service containing any member is found by all of them.
SYNONYMS: list[tuple[str, ...]] = [
    ("社保", "社会保险"),
    ("社保卡", "社会保障卡"),
    ("医保", "医疗保险", "医疗保障"),
    ("公积金", "住房公积金"),
    ("户口", "户籍"),
    ("身份证", "居民身份证"),
    ("准生证", "生育登记"),
    ("出生证", "出生医学证明"),
    ("营业执照", "工商登记", "市场主体登记"),
    ("个税", "个人所得税"),
    ("驾照", "驾驶证"),
    ("房产证", "不动产权证书", "不动产登记"),
    ("退休", "养老金", "基本养老保险"),
    ("结婚证", "结婚登记"),
    ("入学", "学位", "招生"),
    ("身后事", "死亡", "丧葬"),
    ("开饭店", "餐饮", "食品经营"),
]
# Words that say nothing about which service: every service is 办理-ed.
STOP_WORDS = {
    *("的", "了", "和", "与", "及", "我", "要", "我要", "想", "怎么", "如何", "怎样", "在哪"),
    *("哪里", "去", "办", "办理", "申办", "手续", "流程"),
}

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_TERM = re.compile(rf"[{_CJK}]+|[a-z0-9][a-z0-9-]*")
_WORD = re.compile(r"[a-z0-9]+")
_jieba_lock = threading.Lock()
_jieba_ready = False

logger = logging.getLogger(__name__)


class QueryTooLong(ValueError):
    """A search query longer than ``MAX_QUERY_LENGTH`` characters."""

    def user_message(self) -> str:
        return _("Search for at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}


def _jieba() -> Any:
    """jieba, initialised once, quietly, with its cache in the temporary directory."""
    global _jieba_ready
    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = tempfile.gettempdir()
                jieba.initialize()
                for group in SYNONYMS:
                    for word in group:
                        jieba.add_word(word)
                _jieba_ready = True
    return jieba


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, without NUL bytes."""
    return unicodedata.normalize("NFKC", text or "").replace("\x00", "").lower().strip()


def _is_cjk(text: str) -> bool:
    return bool(re.fullmatch(rf"[{_CJK}]+", text))


# --- Indexing ---------------------------------------------------------------------------


def tokens_for(service: Service) -> dict[str, int]:
    """The search tokens of a service with their weights (the best weight per token)."""
    tokens: dict[str, int] = {}

    def add(token: str, weight: int) -> None:
        token = token[:TOKEN_LENGTH]
        if token and tokens.get(token, 0) < weight:
            tokens[token] = weight

    add(normalise(service.code), W_CODE)
    name = re.sub(r"\s+", "", normalise(service.name))
    for start in range(len(name)):
        add(name[start:], W_NAME_START if start == 0 else W_NAME)
    _add_pinyin(add, name, full=W_PINYIN_FULL, rest=W_PINYIN)
    for group in SYNONYMS:
        if any(word in name for word in group):
            for word in group:
                add(word, W_SYNONYM)
                _add_pinyin(add, word, full=W_PINYIN, rest=W_PINYIN)
    for word in _WORD.findall(normalise(service.name_en)):
        add(word, W_ENGLISH)
    description = normalise(service.description)
    for group in SYNONYMS:
        if any(word in description for word in group):
            for word in group:
                add(word, W_TEXT_SYNONYM)
    for text, weight in (
        (description, W_DESCRIPTION),
        (normalise(service.category.name), W_CATEGORY),
        (normalise(service.department.name), W_DEPARTMENT),
    ):
        for word in _jieba().cut_for_search(text):
            if len(word) > 1 and (_is_cjk(word) or _WORD.fullmatch(word)):
                add(word, weight)
    return tokens


def _add_pinyin(add: Any, text: str, *, full: int, rest: int) -> None:
    """Pinyin and initials of ``text`` from each syllable on: ``zhizhao`` and ``zz`` find
    营业执照 as well as ``yingyezhizhao`` and ``yyzz``."""
    syllables = [s for s in lazy_pinyin(text, errors="ignore") if s.isalnum()]
    initials = [s[0] for s in syllables]
    for start in range(len(syllables)):
        weight = full if start == 0 else rest
        add("".join(syllables[start:]), weight)
        if len(initials) - start >= 2:
            add("".join(initials[start:]), weight)


def index_services(services: Iterable[Service]) -> int:
    """Rebuild the search tokens of these services (category and department loaded)."""
    rows: list[SearchToken] = []
    ids = []
    for service in services:
        ids.append(service.pk)
        rows.extend(
            SearchToken(service_id=service.pk, token=token, weight=weight)
            for token, weight in tokens_for(service).items()
        )
    with transaction.atomic():
        SearchToken.objects.filter(service_id__in=ids).delete()
        SearchToken.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def reindex_all(batch: int = 500) -> int:
    """Rebuild every service's tokens (after a synonym or weight change)."""
    count = 0
    queryset = Service.objects.select_related("category", "department").order_by("pk")
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last)[:batch])
        if not chunk:
            return count
        count += index_services(chunk)
        last = chunk[-1].pk


# --- Querying ---------------------------------------------------------------------------


def parse_query(query: str) -> list[str]:
    """The terms of a query: jieba words of Chinese runs, letter-and-digit runs otherwise.
    Punctuation, emoji and other symbols only separate terms. Raises ``QueryTooLong``."""
    if len(query or "") > MAX_QUERY_LENGTH:
        raise QueryTooLong(query[:20])
    terms: list[str] = []
    for chunk in _TERM.findall(normalise(query)):
        words = _glue_single_characters(_jieba().cut(chunk)) if _is_cjk(chunk) else [chunk]
        for word in words:
            word = word.strip()[:TOKEN_LENGTH]
            if word and word not in STOP_WORDS and word not in terms:
                terms.append(word)
    return terms[:MAX_TERMS]


def _glue_single_characters(words: Iterable[str]) -> list[str]:
    """残疾人|证 → 残疾人证: a lone character is almost always a suffix (证, 卡, 费) and as a
    term of its own matches thousands of tokens; glued to its neighbour it is precise, and
    name tokens match any substring of a name anyway."""
    glued: list[str] = []
    for word in words:
        if len(word) == 1 and glued and word not in STOP_WORDS and glued[-1] not in STOP_WORDS:
            glued[-1] += word
        else:
            glued.append(word)
    return glued


def _prefix(term: str, via: str = "search_tokens__") -> Q:
    if connection.vendor == "postgresql":
        # LIKE 'term%' through the varchar_pattern_ops index, whatever the collation.
        return Q(**{f"{via}token__startswith": term})
    # SQLite will not use an index for LIKE … ESCAPE, which Django writes; a range on the
    # BINARY-collated column is the same prefix test and does use one.
    return Q(**{f"{via}token__gte": term, f"{via}token__lt": term + "\U0010ffff"})


def _best_weights(terms: list[str], via: str) -> dict[str, Max]:
    """Per term, the best weight among the tokens it is a prefix of (0: none)."""
    return {
        f"match_{n}": Max(
            Case(
                When(_prefix(term, via), then=F(f"{via}weight")),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for n, term in enumerate(terms)
    }


def search(query: str, queryset: QuerySet[Service] | None = None) -> QuerySet[Service]:
    """Services matching every term of ``query``, best first (by ``score``, then name).

    One query however many match; an empty query (or one of punctuation only) matches none.
    """
    terms = parse_query(query)
    base = queryset if queryset is not None else Service.objects.published()
    if not terms:
        return base.none()
    # The services whose tokens match every term, found from the token index alone.
    any_term = reduce(or_, (_prefix(term, "") for term in terms))
    matched = (
        SearchToken.objects.filter(any_term)
        .values("service_id")
        .annotate(**_best_weights(terms, ""))
        .filter(**{f"match_{n}__gt": 0 for n in range(len(terms))})
        .values("service_id")
    )
    # Each one's score, read from the (service, token) index: no join and no GROUP BY over
    # the wide service rows, which cost more than the matching itself.
    total: Any = Value(0)
    for name in _best_weights(terms, ""):
        total = total + F(name)
    score = (
        SearchToken.objects.filter(any_term, service_id=OuterRef("pk"))
        .values("service_id")
        .annotate(**_best_weights(terms, ""))
        .annotate(total=total)
        .values("total")
    )
    return (
        base.filter(pk__in=matched)
        .annotate(score=Subquery(score, output_field=IntegerField()))
        .order_by("-score", "name", "code")
    )

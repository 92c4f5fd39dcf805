"""Finding and ranking: one grouped query over the token table per kind of item, scored here.

The query reads, per matching service, the best weight each term matched (exact keys at full
weight, official words at 9/10, fuzzy pinyin at 6/10, one-letter slips at 4/10). Because every
service matching any term is in the answer, the number of services each term matched is
known too, and with it each term's weight in the catalogue (BM25's inverse document
frequency): a rare word counts more than a common one. A service's score is the sum over
terms of word weight × best key weight; it is kept when the terms it matched carry at least
``MIN_COVERAGE`` of the query's weight (terms nothing in the catalogue has carry none), so
one unknown word no longer empties the result. See docs/adr/0011-search-ranking.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from services.models import BundleSearchToken, SearchToken, Service
from services.search import vocabulary
from services.search.query import Term, parse, reread
from services.search.text import TEXT_MARK, is_cjk

MAX_RESULTS = 300
MAX_KEYS = 48  # index ranges read per query
# Rows read per range: a one-character prefix stops there. Names first, other text less.
MAX_NAME_ROWS = 2000
MIN_NAME_ROWS = 300
ROW_BUDGET = 6000
# Suggestions (names only, eight shown) read fewer: a first character typed is no query.
SUGGEST_NAME_ROWS = 400
MIN_COVERAGE = 0.4
UNKNOWN_WEIGHT = 0.0
MIN_SHARE_OF_BEST = 0.3
AREA_SHARE = 0.3  # an area name lifts, it does not decide
LEADING_BUNDLE_SHARE = 0.9
LEADING_BUNDLE_COVERAGE = 0.99
# Weights above this come from a name (or code, pinyin, English name, life event); at or below
# it, from a description, category or department only.
NAME_LEVEL = 20
# A word that most of the names it is in end with (登记, 备案, 申请) names a procedure, not
# the thing asked about.
PROCEDURE_SHARE = 0.5
PROCEDURE_MIN_NAMES = 2
PROCEDURE_LENGTH = 2  # 登记, 备案; not 社会保险参保登记, which ends names as their whole subject

# Tenths of a key's weight a match through it earns. The first official word of an everyday
# phrase is what it means; later ones are what it may mean.
FACTORS = (("exact", 10), ("primary", 10), ("official", 9), ("fuzzy", 6), ("slips", 4))


def _prefix_sql(key: str) -> tuple[str, str]:
    """A prefix test on ``token`` that uses the token index, and its parameter."""
    if connection.vendor == "postgresql":
        # LIKE 'key%' through the varchar_pattern_ops index, whatever the collation.
        return "token LIKE %s", connection.ops.prep_for_like_query(key) + "%"
    # SQLite will not use an index for LIKE … ESCAPE; a range on the BINARY-collated column
    # is the same prefix test and does use one.
    return "token >= %s AND token < %s", key


Branch = tuple[int, int, str, int, bool]


def _branches(terms: list[Term], text: bool = True) -> list[Branch]:
    """(term, factor, key, row cap, whether a name ending so counts) for every key of every
    term, at most ``MAX_KEYS``: each exact or official key is looked up among name keys and,
    capped lower, among text keys. Whether a name ends with the term is asked of the term's
    own short Chinese keys (a name key equal to the term is the end of a name)."""
    keys = [
        (n, factor, key, text and attribute not in {"fuzzy", "slips"})
        for n, term in enumerate(terms)
        for attribute, factor in FACTORS
        for key in getattr(term, attribute)
    ]
    ranges = sum(2 if with_text else 1 for *_rest, with_text in keys)
    # The rows read per query are budgeted: many common words each read fewer.
    name_rows = max(MIN_NAME_ROWS, min(MAX_NAME_ROWS, ROW_BUDGET // max(1, ranges)))
    if not text:
        name_rows = min(name_rows, SUGGEST_NAME_ROWS)
    branches: list[Branch] = []
    for n, factor, key, with_text in keys:
        ends = (
            key in terms[n].exact + terms[n].primary
            and len(key) <= PROCEDURE_LENGTH
            and is_cjk(key)
        )
        branches.append((n, factor, key, name_rows, ends))
        if with_text:
            branches.append((n, factor, TEXT_MARK + key, max(50, name_rows // 5), False))
    return branches[:MAX_KEYS]


Source = tuple[Any, str, "QuerySet[Any] | None"]  # model, owner column, scope


def _matches(sources: list[Source], terms: list[Term], text: bool = True) -> list[list[Any]]:
    """Per source (services, bundles), (owner id, best weight per term…, whether its name ends
    with each term…) of every item matching any term.

    One statement for all sources: a UNION ALL of one index range per key and source, each
    capped, grouped per item. (OR-ing the ranges in one WHERE made SQLite scan the whole table
    once a query had a dozen keys: 0.7 s at 7,000 services; one statement for services and
    bundles saves a round trip to the database on every keystroke.)
    """
    parts: list[str] = []
    params: list[Any] = []
    branches = _branches(terms, text)
    for source, (model, owner, _scope) in enumerate(sources):
        table = connection.ops.quote_name(model._meta.db_table)
        for n, factor, key, cap, ends in branches:
            condition, value = _prefix_sql(key)
            end = "CASE WHEN token = %s THEN 1 ELSE 0 END" if ends else "0"
            # Numbers and a quoted table name only; the keys are parameters.
            parts.append(
                f"SELECT * FROM (SELECT {source} AS s, {owner} AS item, "  # noqa: S608
                f"weight * {factor} / 10 AS w, {end} AS e, {n} AS n FROM {table} "
                f"WHERE {condition} LIMIT {cap}) AS k{len(parts)}"
            )
            params.extend([key] if ends else [])
            params.extend(
                [value] if connection.vendor == "postgresql" else [key, key + "\U0010ffff"]
            )
    if not parts:
        return [[] for _source in sources]
    columns = ", ".join(
        [f"MAX(CASE WHEN n = {n} THEN w ELSE 0 END)" for n in range(len(terms))]
        + [f"MAX(CASE WHEN n = {n} THEN e ELSE 0 END)" for n in range(len(terms))]
    )
    sql = f"SELECT s, item, {columns} FROM ({' UNION ALL '.join(parts)}) AS matched"  # noqa: S608
    # Each scope limits its own source's items.
    where = []
    for n, (_model, _owner, scope) in enumerate(sources):
        if scope is not None:
            scope_sql, scope_params = scope.values("pk").query.sql_with_params()
            where.append(f"(s <> {n} OR item IN ({scope_sql}))")
            params.extend(scope_params)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " GROUP BY s, item"
    result: list[list[Any]] = [[] for _source in sources]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            result[row[0]].append(row[1:])
    return result


def _idf(matched: int, total: int) -> float:
    total = max(total, matched)
    return math.log(1 + (total - matched + 0.5) / (matched + 0.5))


@dataclass
class Scored:
    """Items with their scores, best first, and what share of the query each matched."""

    ids: list[int] = field(default_factory=list)
    scores: dict[int, float] = field(default_factory=dict)
    coverage: dict[int, float] = field(default_factory=dict)


def _procedures(rows: list[Any], count: int) -> list[bool]:
    """Which terms name a procedure rather than a thing: most names they are in end with them
    (登记, 备案, 申请), as the action ends a service's name (出生|登记, 企业|备案)."""
    result = []
    for n in range(count):
        named = sum(1 for row in rows if row[1 + n] > NAME_LEVEL)
        ending = sum(1 for row in rows if row[1 + count + n])
        result.append(ending >= PROCEDURE_MIN_NAMES and ending >= PROCEDURE_SHARE * named)
    return result


def _topics(rows: list[Any], terms: list[Term]) -> set[int]:
    """The query's words that name a thing (not generic: 补领, 转移, 证明) and that some name
    carries: 营业执照 in 营业执照丢了."""
    return {
        n
        for n, term in enumerate(terms)
        if not term.optional and not term.generic and any(row[1 + n] > NAME_LEVEL for row in rows)
    }


def _score(
    rows: list[Any],
    terms: list[Term],
    idf: list[float],
    unknown: bool = False,
    topics: set[int] | frozenset[int] = frozenset(),
) -> Scored:
    """Scores of the matching items. With ``unknown`` (a word of the query that nothing in the
    catalogue has), an item is kept only if its name carries a word of the query that names a
    thing: 房屋出租登记备案 must not find 企业备案 by its procedure, 交通违章罚款缴纳 not the
    transport services by their category, 无犯罪证明 not every certificate. When some name
    carries a word of the query that names a thing (``topics``), only items that match one are
    kept: 营业执照丢了 must not find 补领婚姻登记证 by 丢了 alone."""
    count = len(terms)
    required = [n for n, t in enumerate(terms) if not t.optional]
    procedure = _procedures(rows, count) if unknown else [False] * count
    procedure = [p or terms[n].generic for n, p in enumerate(procedure)]
    # A word nothing has (df 0) carries no weight: one unknown word must not hide what the
    # others name. (Weighing it like a common word answered more "not offered" queries
    # honestly but lost more real ones on the tuning set: ADR 0011.)
    # Beside a word that names a thing in a name, generic words (转移, 证明) only lift: 社保转移
    # must keep the social insurance services though 转移 is the rarer word.
    # So do words no name carries (缴费 in 社保缴费证明: a description's word, rare, so heavy).
    deciding = [n for n in required if n in topics] if topics else required
    mass = sum(idf[n] if idf[n] > 0 else UNKNOWN_WEIGHT for n in deciding) or 1.0
    scored = Scored()
    named: set[int] = set()
    for row in rows:
        weights = row[1 : 1 + count]
        if unknown and not any(weights[n] > NAME_LEVEL and not procedure[n] for n in required):
            continue
        if topics and not any(weights[n] for n in topics):
            continue
        if any(weights[n] > NAME_LEVEL for n in topics):
            named.add(row[0])
        score = coverage = 0.0
        for n, term in enumerate(terms):
            if weights[n] > 0:
                gain = idf[n] * weights[n] / 100
                if term.optional:
                    score += AREA_SHARE * gain
                else:
                    score += gain
                    coverage += idf[n] if n in deciding else 0.0
        if coverage / mass >= MIN_COVERAGE:
            scored.scores[row[0]] = score
            scored.coverage[row[0]] = coverage / mass
    best = max(scored.scores.values(), default=0.0)
    # Matching all of the query keeps an item; matching part of it, scoring near the best.
    ranked = sorted(
        (
            i
            for i, s in scored.scores.items()
            if scored.coverage[i] >= 0.99 or s >= MIN_SHARE_OF_BEST * best
        ),
        # An item whose name carries a word naming the thing comes before one that has it
        # only in its text, however many generic words its name adds (居民身份证补领 has
        # 户口 in its description and 补领 in its name: after 市内户口迁移 for 户口本丢了).
        key=lambda i: (i not in named, -scored.scores[i], i),
    )
    scored.ids = ranked[:MAX_RESULTS]
    return scored


@dataclass
class Found:
    """What a query found: services best first, bundles that lead (the query names their life
    event) and bundles that only relate, and the terms as understood."""

    terms: list[Term]
    services: Scored
    leading_bundles: list[int]
    other_bundles: list[int]

    @property
    def count(self) -> int:
        return len(self.services.ids) + len(self.leading_bundles) + len(self.other_bundles)

    def order(self) -> list[tuple[str, int]]:
        """("bundle"|"service", id) in the order shown: leading bundles, three services,
        related bundles, the other services."""
        services = [("service", i) for i in self.services.ids]
        return [
            *(("bundle", i) for i in self.leading_bundles),
            *services[:3],
            *(("bundle", i) for i in self.other_bundles),
            *services[3:],
        ]


def find(
    query: str,
    scope: QuerySet[Service] | None = None,
    *,
    bundles: bool = True,
    names_only: bool = False,
) -> Found:
    """Services (within ``scope``, else all published: only they have keys) and bundles for
    ``query``; one query, none for a query without words.
    ``names_only`` (suggestions as one types) leaves descriptions, categories and departments
    out. Raises ``QueryTooLong``."""
    words = vocabulary.load()
    terms = parse(query, words)
    if not terms:
        return Found([], Scored(), [], [])
    sources: list[Source] = [(SearchToken, "service_id", scope)]
    if bundles:
        sources.append((BundleSearchToken, "bundle_id", None))
    rows, *more = _matches(sources, terms, not names_only)
    found = _rank(terms, rows, more[0] if more else None, words.services)
    if found.count:
        return found
    # A Chinese word that nothing has is read again when the query found nothing: as the
    # everyday phrase it is with 子 (租房), else by its sound (结昏, 身分证: slips of a pinyin
    # keyboard). One more statement, only for a query that would otherwise show nothing.
    bundle_rows = more[0] if more else []
    again = [
        reread(t, words)
        if not t.optional and not any(r[n + 1] for r in rows + bundle_rows)
        else None
        for n, t in enumerate(terms)
    ]
    if not any(again):
        return found
    terms = [a or t for a, t in zip(again, terms, strict=True)]
    rows, *more = _matches(sources, terms, not names_only)
    return _rank(terms, rows, more[0] if more else None, words.services)


def _rank(terms: list[Term], rows: list[Any], bundle_rows: list[Any] | None, total: int) -> Found:
    """Services and bundles scored from the rows the index gave."""
    df = [sum(1 for r in rows if r[n + 1] > 0) for n in range(len(terms))]
    idf = [_idf(d, total) if d else 0.0 for d in df]
    unknown = [not t.optional and not d for t, d in zip(terms, df, strict=True)]
    topics = _topics(rows + (bundle_rows or []), terms)
    services = _score(rows, terms, idf, any(unknown), topics)
    if bundle_rows is None:
        return Found(terms, services, [], [])
    # Bundles use the catalogue's word weights: ten bundles say nothing about rarity. A word
    # only bundles have (一件事, newborn) weighs like the rarest word.
    bundle_idf = [i if i else _idf(1, total) for i in idf]
    bundle_df = [sum(1 for r in bundle_rows if r[n + 1] > 0) for n in range(len(terms))]
    found = _score(
        bundle_rows,
        terms,
        bundle_idf,
        any(u and not d for u, d in zip(unknown, bundle_df, strict=True)),
        topics,
    )
    best_service = max(services.scores.values(), default=0.0)
    leading = [i for i in found.ids if found.scores[i] >= LEADING_BUNDLE_SHARE * best_service]
    # A bundle found only in its description (社保 in the after-death bundle's) is noise
    # beside the services named so.
    other = [
        i
        for i in found.ids
        if i not in leading and found.scores[i] >= MIN_SHARE_OF_BEST * best_service
    ]
    return Found(terms, services, leading, other)

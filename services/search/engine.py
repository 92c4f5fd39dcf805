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

from services.models import Bundle, BundleSearchToken, SearchToken, Service
from services.search import vocabulary
from services.search.query import Term, parse, reread
from services.search.text import TEXT_MARK, cut, is_cjk, is_noun, normalise, word_class

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


def prefix_sql(key: str) -> tuple[str, str]:
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
            condition, value = prefix_sql(key)
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


def _compounds(terms: list[Term], nowhere: list[bool]) -> dict[int, str]:
    """Known words that a word nothing has qualifies, the two typed as one name whose last
    word is a noun: 车辆 in 车辆年检 (a vehicle's inspection), 资格证 in 教师资格证 (a
    teacher's certificate). {term: "before"|"after"}, where the unknown word stands. A verb
    after the word (社保卡|不见, 公积金|提现) or before it (老公|去世) names no other thing."""
    position = {t.text: n for n, t in enumerate(terms)}
    qualified: dict[int, str] = {}
    for n, term in enumerate(terms):
        m = position.get(term.after) if term.after else None
        if m is None or nowhere[n] == nowhere[m] or not is_cjk(terms[m].text):
            continue
        if nowhere[m]:
            # 车辆|年检, 公司|地址: the unknown word is the head. A word jieba does not know
            # is no evidence of a noun (不干, 能领: a verb glued to a word).
            if _dictionary_noun(terms[m].text):
                qualified[n] = "after"
        elif _dictionary_noun(terms[n].text) and not terms[m].primary and not terms[m].official:
            # 教师|资格证: a catalogue word as typed, a noun before it. An everyday phrase
            # after a noun is mostly what a person does (孩子|上学), not a kind of thing.
            qualified[m] = "before"
    return qualified


def _dictionary_noun(word: str) -> bool:
    return word_class(word) is not None and is_noun(word)


def _kin(rows: list[Any], terms: list[Term], topics: set[int]) -> set[int]:
    """Services whose name carries the query's action but not its thing, of a category whose
    names carry the thing: 营业执照注销 finds 企业注销登记 (the licence is the company's
    registration), never 食品经营许可证注销 or 补领婚姻登记证 for 营业执照丢了. One query, only
    when such services were found."""
    actions = [n for n, t in enumerate(terms) if t.generic and not t.optional and n not in topics]
    if not topics or not actions:
        return set()
    about = {row[0] for row in rows if any(row[1 + n] > NAME_LEVEL for n in topics)}
    doing = {
        row[0]
        for row in rows
        if row[0] not in about
        and not any(row[1 + n] for n in topics)
        and any(row[1 + n] > NAME_LEVEL for n in actions)
    }
    if not doing or not about:
        return set()
    ids = sorted(about | doing)
    marks = ", ".join(["%s"] * len(ids))
    table = connection.ops.quote_name(Service._meta.db_table)
    with connection.cursor() as cursor:
        # Plain SQL: compiling the ORM's query cost more than the look-up.
        cursor.execute(f"SELECT id, category_id FROM {table} WHERE id IN ({marks})", ids)  # noqa: S608
        category = dict(cursor.fetchall())
    families = {category[i] for i in about if i in category}
    return {i for i in doing if category.get(i) in families}


def _names_it(name: str, keys: list[str], where: str) -> bool:
    """Whether a name is about a word the query qualifies: nothing before it in the name
    (教师资格证 is no 从业资格证) or, when the unknown word came after it, nothing naming
    another thing right after it (车辆年检 is not about 车辆营运证; 驾驶执照续期 is about
    机动车驾驶证期满换证, 公司地址变更 about 企业变更登记)."""
    for key in keys:
        at = name.find(key)
        if at < 0:
            continue
        if where == "before":
            if at == 0:
                return True
            continue
        rest = name[at + len(key) :]
        following = cut(rest)[:1]
        if not following or not (word_class(following[0]) or "").startswith("n"):
            return True
    return False


def _holding(
    qualified: dict[int, str], terms: list[Term], rows: list[Any], model: Any
) -> dict[int, set[int]]:
    """Per qualified term, the items whose names are about it (one query, only for a query
    with a word nothing has typed as one name with a known word)."""
    wanted = {row[0] for row in rows for n in qualified if row[1 + n] > NAME_LEVEL}
    if not wanted:
        return {n: set() for n in qualified}
    names = dict(model.objects.filter(pk__in=wanted).values_list("pk", "name"))
    result: dict[int, set[int]] = {}
    for n, where in qualified.items():
        keys = [k for k in (*terms[n].exact, *terms[n].primary, *terms[n].official) if is_cjk(k)]
        result[n] = {
            row[0]
            for row in rows
            if row[1 + n] > NAME_LEVEL
            and row[0] in names
            and _names_it(normalise(names[row[0]]).removesuffix("一件事"), keys, where)
        }
    return result


def _score(
    rows: list[Any],
    terms: list[Term],
    idf: list[float],
    unknown: bool = False,
    topics: set[int] | frozenset[int] = frozenset(),
    holding: dict[int, set[int]] | None = None,
    kin: set[int] | frozenset[int] = frozenset(),
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
    whole = sum(idf[n] if idf[n] > 0 else UNKNOWN_WEIGHT for n in required) or 1.0
    scored = Scored()
    named: set[int] = set()
    held = holding or {}
    for row in rows:
        weights = row[1 : 1 + count]
        if unknown and not any(
            weights[n] > NAME_LEVEL and not procedure[n] and (n not in held or row[0] in held[n])
            for n in required
        ):
            continue
        if topics and not any(weights[n] for n in topics) and row[0] not in kin:
            continue
        if any(weights[n] > NAME_LEVEL for n in topics) or row[0] in kin:
            named.add(row[0])
        score = coverage = 0.0
        for n, term in enumerate(terms):
            if weights[n] > 0:
                gain = idf[n] * weights[n] / 100
                if term.optional:
                    score += AREA_SHARE * gain
                else:
                    score += gain
                    # A service of the thing's family counts its action as the thing.
                    coverage += idf[n] if n in deciding or row[0] in kin else 0.0
        share = coverage / (whole if row[0] in kin else mass)
        if share >= MIN_COVERAGE:
            scored.scores[row[0]] = score
            scored.coverage[row[0]] = min(share, 1.0)
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
    nowhere = [u and not any(r[n + 1] for r in bundle_rows or []) for n, u in enumerate(unknown)]
    qualified = _compounds(terms, nowhere) if any(nowhere) else {}
    holding = _holding(qualified, terms, rows, Service) if qualified else None
    kin = _kin(rows, terms, topics)
    services = _score(rows, terms, idf, any(unknown), topics, holding, kin)
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
        _holding(qualified, terms, bundle_rows, Bundle) if qualified else None,
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

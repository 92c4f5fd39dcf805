"""Measuring search against a relevance set: queries as residents type them, each with the
items a sensible person expects (``service:<code>``, ``bundle:<slug>``; none for a query the
catalogue has no answer to). Used by the relevance test and by ``python -m bench search``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from services.models import Bundle, Service
from services.search.engine import find

TOP = 3


def load(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text("utf-8")))


def ranked(query: str, names: dict[tuple[str, int], str], limit: int = TOP) -> list[str]:
    """The first ``limit`` results of ``query`` as ``service:<code>``/``bundle:<slug>``."""
    return [names[hit] for hit in find(query).order()[:limit] if hit in names]


def item_names() -> dict[tuple[str, int], str]:
    services = Service.objects.values_list("pk", "code")
    bundles = Bundle.objects.values_list("pk", "slug")
    return {("service", pk): f"service:{code}" for pk, code in services} | {
        ("bundle", pk): f"bundle:{slug}" for pk, slug in bundles
    }


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Top-1 and top-3 shares per split and per kind. A query expecting nothing counts as
    found when search returns nothing."""
    names = item_names()
    tally: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        got = ranked(row["q"], names)
        expect = set(row["expect"])
        top1 = (not got) if not expect else bool(got[:1]) and got[0] in expect
        top3 = (not got) if not expect else bool(expect & set(got))
        for group in (row["kind"], "all"):
            counts = tally[row["split"]][group]
            counts[0] += 1
            counts[1] += int(top1)
            counts[2] += int(top3)
        if not top3:
            misses[row["split"]].append({"q": row["q"], "got": got, "kind": row["kind"]})
    return {
        split: {
            kind: {"n": n, "top1": round(t1 / n, 3), "top3": round(t3 / n, 3)}
            for kind, (n, t1, t3) in sorted(kinds.items())
        }
        for split, kinds in tally.items()
    } | {"misses": dict(misses)}

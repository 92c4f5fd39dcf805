"""Medians over rounds, ratios to the floors, and the JSON and Markdown outputs."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.endpoints import FLOORS, Floor

COLUMNS = [
    "endpoint",
    "request",
    "req/s",
    "p50 ms",
    "p99 ms",
    "app CPU-ms/req",
    "DB CPU-ms/req",
    "floor",
    "req/s ÷ floor",
    "CPU ÷ floor",
    "errors",
    "wrk CPU",
]


@dataclass
class Row:
    """One endpoint (or in-process measurement): every round, and the medians over them."""

    name: str
    request: str
    floor: Floor | None  # the floor compared with; None for a floor itself
    kind: str = "http"  # "http" (gunicorn + wrk) or "in-process"
    rounds: list[dict[str, Any]] = field(default_factory=list)
    rps_ratio: float | None = None
    cpu_ratio: float | None = None

    def median(self, key: str) -> float | None:
        values = [r[key] for r in self.rounds if r.get(key) is not None]
        return statistics.median(values) if values else None

    @property
    def errors(self) -> int:
        return int(sum(r.get("errors", 0) for r in self.rounds))

    def summary(self) -> dict[str, Any]:
        keys = [
            "rps",
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "app_cpu_ms_per_req",
            "db_cpu_ms_per_req",
            "wrk_cpu_percent",
        ]
        medians = {key: _round(self.median(key)) for key in keys}
        return {
            **medians,
            "errors": self.errors,
            "rps_ratio_to_floor": _round(self.rps_ratio),
            "cpu_ratio_to_floor": _round(self.cpu_ratio),
        }


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def apply_ratios(rows: list[Row]) -> None:
    """Throughput and CPU per request, each against the floor the row names."""
    by_name = {row.name: row for row in rows}
    for row in rows:
        floor = by_name.get(FLOORS[row.floor]) if row.floor is not None else None
        if floor is None:
            continue
        rps, floor_rps = row.median("rps"), floor.median("rps")
        if row.kind == "http" and rps and floor_rps:
            row.rps_ratio = rps / floor_rps
        cpu, floor_cpu = row.median("app_cpu_ms_per_req"), floor.median("app_cpu_ms_per_req")
        if cpu and floor_cpu:
            row.cpu_ratio = cpu / floor_cpu


def number(value: float | None) -> str:
    """About three significant figures, never in exponent form."""
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def markdown_table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for row in rows:
        wrk_cpu = row.median("wrk_cpu_percent")
        cells = [
            row.name,
            f"`{row.request}`",
            number(row.median("rps")),
            number(row.median("p50_ms")),
            number(row.median("p99_ms")),
            number(row.median("app_cpu_ms_per_req")),
            number(row.median("db_cpu_ms_per_req")),
            row.floor or "(floor)",
            number(row.rps_ratio),
            f"{number(row.cpu_ratio)}×" if row.cpu_ratio is not None else "—",
            str(row.errors) if row.kind == "http" else "—",
            f"{wrk_cpu:.0f}%" if wrk_cpu is not None else "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


BUSY_PERCENT = 10.0


def other_load(rows: list[Row]) -> tuple[float, float]:
    """Median and maximum share of the machine's CPU used by unrelated processes."""
    values = [
        r["other_cpu_percent"] for row in rows for r in row.rounds if "other_cpu_percent" in r
    ]
    return (statistics.median(values), max(values)) if values else (0.0, 0.0)


def load_note(rows: list[Row], config: dict[str, Any]) -> str:
    median, peak = other_load(rows)
    note = (
        f"- other processes used {median:.0f}% of the machine's CPU during a median run "
        f"(max {peak:.0f}%)"
    )
    if config.get("max_other_load"):
        note += (
            f"; runs disturbed by more than {config['max_other_load']:.0f}% were measured again "
            f"(up to {config['retries']} times, least disturbed kept)"
        )
    if median > BUSY_PERCENT:
        note += (
            ": **the machine was busy, so rates are low and CPU-ms are inflated; the ratios to "
            "the floors are the figures to trust**"
        )
    return note


def markdown(rows: list[Row], meta: dict[str, Any]) -> str:
    config = meta["config"]
    header = [
        f"# One Window benchmark, {meta['started_at']}",
        "",
        f"- commit `{meta['commit']}`; {meta['machine']['cpu']} × {meta['machine']['cpus']} "
        f"CPUs; Python {meta['versions']['python']}, Django {meta['versions']['django']}, "
        f"gunicorn {meta['versions']['gunicorn']}, PostgreSQL {meta['versions']['postgresql']}",
        f"- gunicorn {config['workers']} × {config['worker_class']} workers; "
        f"wrk -t{config['threads']} -c{config['connections']} -d{config['duration']}s, "
        f"{config['rounds']} interleaved rounds, medians shown"
        f"{' (quick mode)' if config['quick'] else ''}; cache: {meta['cache']}",
        load_note(rows, config),
        "",
        "",
    ]
    return "\n".join(header) + markdown_table(rows) + "\n" + signing_section(rows, meta)


def signing_section(rows: list[Row], meta: dict[str, Any]) -> str:
    """In-process signature rates (bench/certificates.py), beside the verification API's."""
    signing = meta.get("signing")
    if not signing:
        return ""
    lines = [
        "",
        "In-process signatures over a {} B signing input, one core:".format(
            next(iter(signing.values()))["message_bytes"]
        ),
        "",
        "| algorithm | signs/s | CPU-µs/sign | verifies/s | CPU-µs/verify |",
        "|---|---|---|---|---|",
    ]
    for alg, rates in signing.items():
        sign, verify = rates["sign"], rates["verify"]
        lines.append(
            f"| {alg} | {number(sign['per_s'])} | {number(sign['cpu_us_per_op'])} | "
            f"{number(verify['per_s'])} | {number(verify['cpu_us_per_op'])} |"
        )
    api = next((row.median("rps") for row in rows if row.name == "cert-verify"), None)
    if api and "EdDSA" in signing:
        times = signing["EdDSA"]["verify"]["per_s"] / api
        lines += ["", f"Ed25519 verifies {times:.1f}× as fast as the verification API answers."]
    return "\n".join(lines) + "\n"


def write(rows: list[Row], meta: dict[str, Any], results_dir: Path) -> tuple[Path, Path]:
    """``<stamp>.json`` and ``<stamp>.md``, and copies as ``latest.json`` / ``latest.md``."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(meta["started_at"]).strftime("%Y%m%d-%H%M%S")
    payload = {
        "meta": meta,
        "results": [
            {
                "name": row.name,
                "request": row.request,
                "kind": row.kind,
                "floor": row.floor,
                **row.summary(),
                "rounds": row.rounds,
            }
            for row in rows
        ],
    }
    text_json = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    text_md = markdown(rows, meta)
    json_path, md_path = results_dir / f"{stamp}.json", results_dir / f"{stamp}.md"
    for path, text in ((json_path, text_json), (md_path, text_md)):
        path.write_text(text, encoding="utf-8")
        (results_dir / f"latest{path.suffix}").write_text(text, encoding="utf-8")
    return json_path, md_path

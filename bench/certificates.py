"""Certificate-store benchmarks: in-process sign/verify rates, and the public verification API.

* ``python -m bench.certificates`` prints signatures and verifications per second, in this
  process, for Ed25519 and SM2 (gmssl-pyx) over a ~1.2 KB canonical certificate, and for the
  whole ``verification.verify_identifier`` of the stored bench certificate when Django is set up.
* ``CERTIFICATE_ENDPOINTS`` are measured by ``python -m bench`` next to the ping floor once
  wired in (two lines, see the module's report); ``ensure_bench_certificate()`` makes the
  certificate they verify, in-process, after ``database.setup_django()``.

The verification API answers anonymous requests, so the API's anonymous throttle
(``API_THROTTLE_ANON``, 120/min by default) must be raised for the benchmark, as the login
rate limit is in portal/settings/bench.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from stdnum.cn import ric, uscc

from bench.spec import Endpoint

# Fixed codes, so that the identifier (and so the endpoint's path) is known before set-up.
BENCH_ISSUER_CODE = (lambda body: body + uscc.calc_check_digit(body))("11440100MB2C99990")
BENCH_DEFINER_CODE = (lambda body: body + uscc.calc_check_digit(body))("11100000MB2C99991")
BENCH_TYPE_CODE = f"{BENCH_DEFINER_CODE}001"
BENCH_SERIAL = "BENCH0000001"
BENCH_HOLDER_ID = (lambda body: body + ric.calc_check_digit(body + "0"))("44010619950615731")


def bench_identifier() -> str:
    from stdnum.iso7064 import mod_37_36

    parts = [BENCH_TYPE_CODE, BENCH_ISSUER_CODE, BENCH_SERIAL, "001"]
    check = mod_37_36.calc_check_digit("".join(parts))
    return ".".join(["1.2.156.3005.2", *parts, check])


CERTIFICATE_ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "cert-verify",
        f"/api/v1/certificates/verification/{bench_identifier()}/",
        floor="ping",
    ),
]

SURFACE = {
    "sex": "男",
    "ethnicity": "汉",
    "birth_date": "1995-06-15",
    "address": "广东省广州市海珠区新港中路100号" * 4,
    "authority": "广州市公安局海珠分局",
    "remarks": "测试数据" * 40,
}


def ensure_bench_certificate() -> str:
    """Department, type and one signed certificate with a fixed identifier (idempotent)."""
    from certificates import issuing
    from certificates.models import CertificateType, HolderKind, ValidityRule
    from portal.models import Department

    issuer, _ = Department.objects.get_or_create(
        code=BENCH_ISSUER_CODE, defaults={"name": "基准测试发证部门"}
    )
    definer, _ = Department.objects.get_or_create(
        code=BENCH_DEFINER_CODE, defaults={"name": "基准测试定义部门"}
    )
    ctype, _ = CertificateType.objects.get_or_create(
        code=BENCH_TYPE_CODE,
        defaults={
            "name": "基准测试证照",
            "defining_department": definer,
            "holder_kind": HolderKind.PERSON,
            "fields": [{"name": name, "label": name, "type": "text"} for name in SURFACE],
            "validity_rule": ValidityRule.LONG_TERM,
        },
    )
    ctype.issuing_departments.add(issuer)
    certificate = issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name="测试员",
        holder_code=BENCH_HOLDER_ID,
        surface=SURFACE,
        by=None,
        serial=BENCH_SERIAL,
        idempotency_key="bench-certificate",
    )
    if certificate.identifier != bench_identifier():
        raise RuntimeError(f"bench certificate is {certificate.identifier}")
    return certificate.identifier


def _sample_message() -> bytes:
    from certificates.signing import b64url, canonical_json

    payload = {
        "v": 1,
        "identifier": bench_identifier(),
        "number": BENCH_SERIAL,
        "type_code": BENCH_TYPE_CODE,
        "holder_name": "测试员",
        "holder_code": BENCH_HOLDER_ID,
        "holder_code_type": "111",
        "issuer_code": BENCH_ISSUER_CODE,
        "issued_on": "2026-11-27",
        "valid_from": "2026-11-27",
        "valid_until": None,
        "version": "001",
        "previous": None,
        "surface": SURFACE,
    }
    header = {"alg": "EdDSA", "kid": f"{BENCH_ISSUER_CODE}-20261127-00000000", "typ": "x"}
    return f"{b64url(canonical_json(header))}.{b64url(canonical_json(payload))}".encode()


def _rate(operation: Callable[[], Any], seconds: float) -> dict[str, float]:
    per_op: list[float] = []
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall_start < seconds or len(per_op) < 20:
        started = time.perf_counter()
        operation()
        per_op.append((time.perf_counter() - started) * 1e6)
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    return {
        "per_s": round(len(per_op) / wall, 1),
        "cpu_us_per_op": round(cpu * 1e6 / len(per_op), 1),
        "p50_us": round(statistics.median(per_op), 1),
        "p99_us": round(statistics.quantiles(per_op, n=100)[98], 1),
    }


def signing_rates(seconds: float = 2.0) -> dict[str, dict[str, Any]]:
    """Signatures and verifications per second of each signer, one core, in-process."""
    from certificates.signing import SIGNERS

    message = _sample_message()
    results: dict[str, dict[str, Any]] = {}
    for alg, signer in sorted(SIGNERS.items()):
        private, public = signer.generate()
        signature = signer.sign(private, public, message)
        if not signer.verify(public, message, signature):
            raise RuntimeError(f"{alg} does not verify its own signature")
        results[alg] = {
            "message_bytes": len(message),
            "sign": _rate(partial(signer.sign, private, public, message), seconds),
            "verify": _rate(partial(signer.verify, public, message, signature), seconds),
        }
    return results


def stored_verification_rate(seconds: float = 2.0) -> dict[str, dict[str, float]]:
    """``verify_identifier`` of the bench certificate, as the API calls it (parse, one DB read,
    canonical form, signature check): with the signature check remembered from an earlier
    request (``signing.verdicts``), and cold, every request running the cryptography."""
    from certificates import signing
    from certificates.verification import verify_identifier

    ensure_bench_certificate()

    def once() -> None:
        if not verify_identifier(bench_identifier()).genuine:
            raise RuntimeError("the bench certificate does not verify")

    def cold() -> None:
        signing.verdicts.clear()
        once()

    return {"remembered": _rate(once, seconds), "cold": _rate(cold, seconds)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificates")
    parser.add_argument("--seconds", type=float, default=2.0, help="per measurement")
    parser.add_argument(
        "--with-db",
        action="store_true",
        help="also verify the stored bench certificate (needs DJANGO_SETTINGS_MODULE and a DB)",
    )
    args = parser.parse_args(argv)
    report: dict[str, Any] = {"signers": signing_rates(args.seconds)}
    if args.with_db:
        import django

        django.setup()
        report["verify_certificate"] = stored_verification_rate(args.seconds)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

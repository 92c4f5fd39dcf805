"""Application benchmarks (issue 8): submitting through the API, and routing by a real worker.

* ``SUBMIT_ENDPOINT`` (``python -m bench --only submit``): the signed-in bench citizen applies
  for the bench service through ``POST /api/v1/applications/``: a validated form of three
  answers, two materials given by e-certificates he holds (材料免提交, two consents recorded),
  a new ``Idempotency-Key`` on every request (bench/lua/submit.lua). Compared with the insert
  floor. ``ensure_bench_service()`` makes the service and the certificates, in-process.
* Routing by a real worker: bench/routing.py (``python -m bench.routing``).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from bench.certificates import (
    BENCH_HOLDER_ID,
    BENCH_ISSUER_CODE,
    BENCH_SERIAL,
    BENCH_TYPE_CODE,
    SURFACE,
    ensure_bench_certificate,
)
from bench.spec import Endpoint

BENCH_SERVICE_CODE = "BENCH-APPLY-0001"
SECOND_SERIAL = "BENCH0000002"
REQUIREMENTS = ("id-card", "household-register")
ANSWERS = {"applicant_name": "测试员", "phone": "13800009999", "purpose": "基准测试"}
REVIEWERS = 3
REVIEWER_EMAIL = "bench-reviewer-{}@bench.onewindow"


def identifier_for(serial: str) -> str:
    """A bench certificate's identifier, known before set-up (as bench_identifier())."""
    from stdnum.iso7064 import mod_37_36

    parts = [BENCH_TYPE_CODE, BENCH_ISSUER_CODE, serial, "001"]
    check = mod_37_36.calc_check_digit("".join(parts))
    return ".".join(["1.2.156.3005.2", *parts, check])


def _body() -> str:
    materials = [
        {"requirement": key, "certificate": identifier_for(serial)}
        for key, serial in zip(REQUIREMENTS, (BENCH_SERIAL, SECOND_SERIAL), strict=True)
    ]
    body = {"service": BENCH_SERVICE_CODE, "answers": ANSWERS, "materials": materials}
    # A str.format template (bench/endpoints.py): literal braces doubled.
    return json.dumps(body, ensure_ascii=False).replace("{", "{{").replace("}", "}}")


SUBMIT_ENDPOINT = Endpoint(
    "submit",
    "/api/v1/applications/",
    method="POST",
    body=_body(),
    headers={
        "Content-Type": "application/json",
        "Cookie": "csrftoken={csrf_cookie}",
        "X-CSRFToken": "{csrf_token}",
        # The preflight's key; wrk's script sends a new one with every request.
        "Idempotency-Key": "bench-preflight-{session_cookie}",
    },
    floor="insert",
    needs_login=True,
    expect_status=201,
    script="submit.lua",
)

# The ceiling of SUBMIT_ENDPOINT on this stack (portal/bench_urls.py): the same request, cookie
# and headers to a view that reads as much and writes as many rows, checking nothing.
SIGNED_IN_WRITE_ENDPOINT = dataclasses.replace(
    SUBMIT_ENDPOINT, name="signed-in-write", path="/bench/signed-in-write"
)


def ensure_bench_service() -> int:
    """The bench service (online, a three-field form, two materials an e-certificate of the
    bench type replaces) and the bench citizen's second certificate. Returns the service id."""
    from bench.accounts import BENCH_EMAIL, ensure_bench_citizen
    from certificates import issuing
    from certificates.models import CertificateType
    from portal.models import (
        Department,
        PersonProfile,
        RealNameLevel,
        ServiceCategory,
        ServiceHall,
    )
    from services.models import MaterialRequirement, ReviewStep, Service

    ensure_bench_certificate()
    # Only a verified identity holds e-certificates (certificates.selectors.holds): the bench
    # citizen has been verified at a window, as the demo citizens are. On a new database his
    # profile is made here first, or there would be nothing to mark verified.
    ensure_bench_citizen()
    PersonProfile.objects.filter(user__email=BENCH_EMAIL).update(
        realname_level=RealNameLevel.WINDOW
    )
    ctype = CertificateType.objects.get(code=BENCH_TYPE_CODE)
    department = Department.objects.get(code=BENCH_ISSUER_CODE)
    issuing.issue(
        type=ctype,
        issuer=department,
        holder_name="测试员",
        holder_code=BENCH_HOLDER_ID,
        surface=SURFACE,
        by=None,
        serial=SECOND_SERIAL,
        idempotency_key="bench-certificate-2",
    )
    category, _ = ServiceCategory.objects.get_or_create(
        code="bench", defaults={"name": "基准测试分类"}
    )
    hall = ServiceHall.objects.order_by("pk").first() or ServiceHall.objects.create(
        name="基准测试大厅", address="广州市"
    )
    fields = [
        {"key": "applicant_name", "label": "姓名", "type": "text", "required": True},
        {"key": "phone", "label": "手机号码", "type": "phone", "required": True},
        {"key": "purpose", "label": "用途", "type": "text", "required": True},
    ]
    service, _ = Service.objects.update_or_create(
        code=BENCH_SERVICE_CODE,
        defaults={
            "name": "基准测试事项",
            "department": department,
            "category": category,
            "statutory_limit_days": 20,
            "promised_limit_days": 5,
            "form_definition": {"fields": fields},
        },
    )
    service.halls.add(hall)
    for key in REQUIREMENTS:
        MaterialRequirement.objects.update_or_create(
            service=service, key=key, defaults={"name": key, "certificate_type": ctype}
        )
    ReviewStep.objects.get_or_create(
        service=service, order=1, defaults={"name": "审核", "department": department}
    )
    _ensure_reviewers(department, category)
    return int(service.pk)


def _ensure_reviewers(department: Any, category: Any) -> None:
    """Three reviewers of the bench queue: routing picks the least busy one for each case."""
    from portal import roles
    from portal.models import StaffAssignment, StaffRole, User

    for number in range(REVIEWERS):
        user, _ = User.objects.get_or_create(email=REVIEWER_EMAIL.format(number))
        if not StaffAssignment.objects.filter(user=user, role=StaffRole.REVIEWER).exists():
            assignment = StaffAssignment(user=user, role=StaffRole.REVIEWER, department=department)
            roles.grant(assignment, by=None, categories=[category])

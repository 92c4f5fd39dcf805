"""Demo applications: the demo citizen's and his company's cases in every state, the clerk's
intake queue, the reviewer's queue with a case due soon (yellow) and an overdue one (red), and
a completed case whose certificate is in the wallet.

Runs after every app's demo (it needs the catalogue, the accounts and the wallet). Idempotent:
each case is keyed by an idempotency key of the demo citizen; a case made on an earlier day stays.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from certificates import selectors as wallet
from certificates.models import CertificateStatus
from portal.models import Organisation, PersonProfile, User
from services import calendar, deadlines, drafts, materials, routing, workflow
from services.models import Application, MaterialRequirement, Service
from services.models.applications import ApplicationEvent, Channel

PDF = b"%PDF-1.4\n% One Window demo scan\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ORGANISATION_SERVICE_FIELDS = {"company_name", "uscc", "legal_rep_name", "legal_rep_id_number"}


def _value(field: dict[str, Any], citizen: User, profile: PersonProfile, org: Organisation) -> Any:
    key, kind, rules = field["key"], field["type"], field.get("rules", {})
    by_key = {
        "company_name": org.name,
        "uscc": org.uscc,
        "legal_rep_name": profile.legal_name,
        "applicant_name": profile.legal_name,
    }
    if key in by_key:
        return by_key[key]
    if kind == "id_number":
        return profile.reveal_id_number()
    if kind == "uscc":
        return org.uscc
    if kind == "phone":
        return citizen.phone[3:] if citizen.phone else "13800000001"
    if kind == "address":
        return "广东省广州市天河区天河路1号"
    if kind == "date":
        return (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    if kind == "number":
        return str(max(int(rules.get("min", 1)), 1))
    if kind == "choice":
        return rules["choices"][0]["value"]
    if kind == "boolean":
        return True
    return "演示"


def _apply(
    citizen: User, code: str, key: str, *, for_org: bool, clerk: User, submit: bool = True
) -> Application | None:
    """A submitted application (or a draft) of the demo citizen, once: online where the
    service allows it, else taken in at the demo clerk's hall."""
    earlier = Application.objects.filter(applicant=citizen, idempotency_key=key).first()
    if earlier is not None:
        return None
    service = Service.objects.get(code=code)
    profile = PersonProfile.objects.get(user=citizen)
    org = Organisation.objects.get(legal_representative=citizen)
    hall = service.halls.filter(staff__user=clerk).first()
    online = service.online
    by = citizen if online else clerk
    app = drafts.start(
        by=by,
        service=service,
        applicant=citizen,
        organisation=org if for_org else None,
        hall=hall,
        channel=Channel.ONLINE if online else Channel.COUNTER,
    )
    fields = service.form_definition.get("fields", [])
    answers = {f["key"]: _value(f, citizen, profile, org) for f in fields}
    drafts.save_answers(
        app, by=citizen, answers=answers if submit else dict(list(answers.items())[:2])
    )
    held = {c.type_id: c for c in wallet.wallet(citizen) if c.status == CertificateStatus.VALID}
    for requirement in MaterialRequirement.objects.filter(service=service):
        if requirement.requirement != MaterialRequirement.Requirement.REQUIRED:
            continue
        certificate = (
            held.get(requirement.certificate_type_id) if requirement.certificate_type_id else None
        )
        if certificate is not None:
            materials.attach_certificate(app, requirement, certificate, by=citizen)
        elif online:
            materials.attach_upload(
                app, requirement, io.BytesIO(PDF), name=f"{requirement.name}.pdf", by=citizen
            )
        else:
            materials.check_paper(app, requirement, original_seen=True, copy_taken=True, by=clerk)
    app.idempotency_key = key
    app.save(update_fields=["idempotency_key"])
    return drafts.submit_draft(app, by=by) if submit else app


def _accepted_on(app: Application, day: dt.date) -> None:
    """Move a demo acceptance back in time so that its deadline falls where the demo needs it,
    with the case's earlier dates and its events before it, as they would have happened."""
    now = timezone.now()
    accepted = min(timezone.make_aware(dt.datetime.combine(day, dt.time(10))), now)
    submitted = accepted - dt.timedelta(minutes=30)
    Application.objects.filter(pk=app.pk).update(
        created_at=submitted - dt.timedelta(minutes=5),
        submitted_at=submitted,
        accepted_at=accepted,
        step_started_at=accepted,
    )
    events = ApplicationEvent.objects.filter(application=app)
    events.filter(action__in=("create", "submit")).update(at=submitted)
    events.exclude(action__in=("create", "submit")).update(at=accepted)
    app.refresh_from_db()
    deadlines.recompute([app])


def _acceptance_day_for_remaining(app: Application, days_left: int) -> dt.date:
    """The latest day whose acceptance leaves ``days_left`` working days today."""
    assert app.service is not None
    today, day = timezone.localdate(), timezone.localdate()
    for _ in range(400):
        due = calendar.add_working_days(day, app.service.promised_limit_days).due
        if calendar.working_days_between(today, due).days <= days_left:
            return day
        day -= dt.timedelta(days=1)
    return day


@transaction.atomic
def load() -> str:
    citizen = User.objects.filter(email="citizen@demo.onewindow").first()
    clerk = User.objects.filter(email="clerk@demo.onewindow").first()
    reviewer = User.objects.filter(email="reviewer@demo.onewindow").first()
    admin = User.objects.filter(email="deptadmin@demo.onewindow").first()
    if not (citizen and clerk and reviewer and admin):
        return "no demo accounts: no demo applications"
    made = 0

    def case(code: str, key: str, *, for_org: bool, then: Callable[[Application], Any]) -> None:
        nonlocal made
        app = _apply(citizen, code, key, for_org=for_org, clerk=clerk)
        if app is not None:
            then(app)
            made += 1

    accept = lambda app: workflow.accept(app, by=clerk)  # noqa: E731

    def in_review(app: Application) -> Application:
        accepted = workflow.accept(app, by=clerk)
        routing.route(accepted.pk)  # at once: the demo runs in one transaction
        accepted.refresh_from_db()
        return accepted

    def due_in(days_left: int) -> Callable[[Application], Any]:
        def run(app: Application) -> None:
            app = in_review(app)
            _accepted_on(app, _acceptance_day_for_remaining(app, days_left))

        return run

    def paused(app: Application) -> None:
        app = in_review(app)
        workflow.request_supplement(app, by=reviewer, items=["公司章程缺少全体股东签字页，请补充"])

    def completed_with_certificate(app: Application) -> None:
        app = workflow.approve(in_review(app), by=reviewer, opinion="材料齐全，符合条件")
        routing.route(app.pk)
        workflow.approve(
            app,
            by=admin,
            opinion="同意核发",
            surface={
                "operator_type": "食品销售经营者",
                "address": "广东省广州市天河区天河路1号",
                "items": "预包装食品销售",
            },
        )

    # Person services, at the window: waiting, supplement, refused, withdrawn, paper result.
    case("44010090001C0004", "demo-submitted", for_org=False, then=lambda app: None)
    case(
        "44010090003P0003",
        "demo-supplement",
        for_org=False,
        then=lambda app: workflow.request_supplement(
            app, by=clerk, items=["社会保障卡损坏照片", "近期免冠彩色照片一张"]
        ),
    )
    case(
        "44010090002C0003",
        "demo-refused",
        for_org=False,
        then=lambda app: workflow.refuse(
            app, by=clerk, reason="结婚登记档案不在本市，请向原登记机关申请"
        ),
    )
    case(
        "44010090001C0006",
        "demo-withdrawn",
        for_org=False,
        then=lambda app: workflow.withdraw(accept(app), by=citizen, reason="已在其他地区办理"),
    )
    # The company's cases before market regulation: on time, due soon, overdue, paused, done.
    case("44010090005L0003", "demo-review", for_org=True, then=in_review)
    case("44010090005L0002", "demo-yellow", for_org=False, then=due_in(1))
    case("44010090005L0008", "demo-red", for_org=True, then=due_in(-2))
    case("44010090005L0001", "demo-paused", for_org=True, then=paused)
    case("44010090005L0007", "demo-completed", for_org=True, then=completed_with_certificate)
    if _apply(citizen, "44010090001C0006", "demo-draft", for_org=False, clerk=clerk, submit=False):
        made += 1
    deadlines.refresh_sla()
    total = Application.objects.filter(applicant=citizen, parent__isnull=True).count()
    return f"{total} demo applications ({made} new) in every state"

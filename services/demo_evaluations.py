"""Demo ratings (好差评): the demo company's completed case rated 不满意, which opens a
rectification the market regulation administrator is investigating; the refused case rated
基本满意; two of today's served walk-in visits rated from the window's QR code.

Runs after the demo applications and the hall's queue. Idempotent: a case or visit already
rated is left as it is.
"""

from __future__ import annotations

from django.db import transaction

from portal.models import User
from services import rating, rectification
from services.models import Application, Evaluation
from services.models.reservations import Ticket, TicketStatus


def _unrated_case(citizen: User, key: str) -> Application | None:
    """The demo citizen's case of this key if it is finished and not rated yet."""
    case = Application.objects.filter(applicant=citizen, idempotency_key=key).first()
    if case is None or case.status not in rating.RATEABLE:
        return None
    return None if Evaluation.objects.filter(application=case).exists() else case


@transaction.atomic
def load() -> str:
    citizen = User.objects.filter(email="citizen@demo.onewindow").first()
    admin = User.objects.filter(email="deptadmin@demo.onewindow").first()
    if citizen is None or admin is None:
        return "no demo accounts: no demo ratings"
    made = 0
    completed = _unrated_case(citizen, "demo-completed")
    if completed is not None:
        evaluation = rating.rate_application(
            completed,
            by=citizen,
            level=2,
            indicators={"efficiency": 1, "guide_accuracy": 3, "convenience": 3},
            comment="审批用时比承诺的长，中间也没有人告知进度。",
            tags=["slow"],
        )
        rectification.investigate(
            evaluation.rectification, by=admin, note="调取审批记录，核实各环节用时。"
        )
        made += 1
    refused = _unrated_case(citizen, "demo-refused")
    if refused is not None:
        rating.rate_application(
            refused,
            by=citizen,
            level=3,
            indicators={"efficiency": 4, "guide_accuracy": 2, "convenience": 3},
            comment="窗口解释得清楚，但办事指南没写档案所在地的要求。",
            tags=["unclear_guide"],
        )
        made += 1
    served = Ticket.objects.filter(status=TicketStatus.DONE, evaluation__isnull=True).order_by(
        "pk"
    )[:2]
    for ticket, level in zip(served, (5, 4), strict=False):
        rating.rate_ticket(
            ticket,
            by=None,
            level=level,
            indicators={"efficiency": level, "service_level": level, "attitude": 5},
            tags=["friendly"],
            with_token=True,
        )
        made += 1
    total = Evaluation.objects.count()
    return f"{total} demo ratings ({made} new), one bad rating being rectified"

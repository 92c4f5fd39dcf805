"""``{{ left|days_overdue }}``: the working days a case is past its due date (0 if not), for
pages whose view does not count them, to word them as the reviewer's queue does
(``services/workbench/includes/remaining.html``: 已超期 2 个工作日, not 剩余工作日 -2)."""

from __future__ import annotations

from django import template

from services.deadlines import Remaining

register = template.Library()


@register.filter
def days_overdue(left: Remaining | None) -> int:
    return -left.days if left is not None and left.days < 0 else 0

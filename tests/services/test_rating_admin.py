"""Ratings and rectifications in the Django admin: system administrators read them, nobody
edits them there, and every opened rating or rectification writes one read row naming the
rater (ADR 0008); the lists show no rater and no comment, and write none."""

from __future__ import annotations

import pytest

from portal.models import AuditAction, AuditEvent, StaffRole
from services import rating, rectification, workflow
from services.models import Evaluation, Rectification
from tests.services.cases import staff, world

pytestmark = pytest.mark.django_db
COMMENT = "窗口人员态度差，材料说法不一"


@pytest.fixture
def bad(settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own tests
    w = world()
    done = workflow.approve(w.accepted(), by=w.department_admin)
    evaluation = rating.rate_application(done, by=w.applicant, level=1, comment=COMMENT)
    dept, rect = w.department_admin, evaluation.rectification
    rectification.investigate(rect, by=dept)
    rectification.classify(rect, by=dept, classification="reasonable", finding="清单有两个版本")
    rectification.act(rect, by=dept, action_taken="统一办事指南")
    rectification.call_back(rect, by=dept, note="申请人表示理解")
    rect = rectification.answer(rect, by=dept, text="已统一材料清单")
    return w, evaluation, rect


def _reads():
    return AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED)


def _url(obj, view: str = "change") -> str:
    return f"/admin/services/{obj._meta.model_name}/{obj.pk}/{view}/"


@pytest.mark.parametrize("which", ["evaluation", "rectification"])
def test_a_system_administrator_reading_one_writes_a_row_naming_the_rater(client, bad, which):
    w, evaluation, rect = bad
    admin = staff(StaffRole.SYSTEM_ADMIN)
    client.force_login(admin)
    page = client.get(_url(evaluation if which == "evaluation" else rect))
    assert page.status_code == 200
    shown = "已统一材料清单" if which == "rectification" else COMMENT
    assert shown in page.content.decode()
    event = _reads().get()
    assert (event.actor, event.subject, event.reason) == (admin, w.applicant, "admin")
    assert event.fields


@pytest.mark.parametrize("which", ["evaluation", "rectification"])
def test_a_department_administrator_is_refused_and_nothing_is_logged(client, bad, which):
    w, evaluation, rect = bad
    client.force_login(w.department_admin)
    assert client.get(_url(evaluation if which == "evaluation" else rect)).status_code == 403
    assert client.get(f"/admin/services/{which}/").status_code == 403
    assert not _reads().exists()


def test_the_lists_show_no_comment_and_write_no_row(client, bad):
    _w, _evaluation, _rect = bad
    client.force_login(staff(StaffRole.SYSTEM_ADMIN))
    for which in ("evaluation", "rectification"):
        page = client.get(f"/admin/services/{which}/")
        assert page.status_code == 200
        assert COMMENT not in page.content.decode()
    assert not _reads().exists()


def test_nothing_can_be_changed_or_deleted_in_the_admin(client, bad):
    _w, evaluation, rect = bad
    client.force_login(staff(StaffRole.SYSTEM_ADMIN))
    assert client.post(_url(evaluation), {"level": 5}).status_code == 403
    assert client.post(_url(rect, "delete"), {"post": "yes"}).status_code == 403
    assert client.get("/admin/services/evaluation/add/").status_code == 403
    assert Evaluation.objects.get(pk=evaluation.pk).level == 1
    assert Rectification.objects.filter(pk=rect.pk).exists()

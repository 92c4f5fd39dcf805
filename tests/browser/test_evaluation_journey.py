"""好差评 in the browser: a citizen rates his completed case 非常不满意; the department's
administrator finds the rectification, investigates, classifies, acts, calls back and answers;
the citizen reads the answer on his case page and says he is satisfied. The department's
statistics dashboard and the public satisfaction page count the rating."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from services import workflow
from services.models import Evaluation, Rectification
from services.models.evaluations import RectificationStatus
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD
from tests.services.cases import world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("RATING_SHOTS", "/tmp/shots/rating"))


def shoot(page, name: str) -> None:
    """The page at 1280 and at 390 px wide, with no sideways scrolling at the narrow one."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / f"{name}-390.png", full_page=True)
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), f"{name} scrolls sideways at 390 px"
    page.set_viewport_size({"width": 1280, "height": 900})


def figure(page, name: str) -> str:
    """The value shown beside ``name`` in a page's list of figures."""
    entry = page.locator(".figures > div", has=page.get_by_text(name, exact=True))
    return entry.locator("dd").inner_text().strip()


def test_a_very_dissatisfied_rating_is_rectified_and_answered(new_page, settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    w = world()
    done = workflow.approve(w.accepted(), by=w.department_admin)

    staff = new_page()
    staff.goto("/staff/statistics/")
    sign_in(staff, w.department_admin.email, PASSWORD)
    expect(staff.get_by_role("heading", name="Ratings in this period")).to_be_visible()
    assert (figure(staff, "Ratings"), figure(staff, "Bad ratings")) == ("0", "0")
    assert figure(staff, "Satisfaction rate") == "—"

    citizen = new_page()
    citizen.goto(f"/applications/{done.pk}/")
    sign_in(citizen, w.applicant.email, PASSWORD)
    rate = citizen.locator("section", has=citizen.get_by_role("heading", name="Rate this service"))
    expect(rate).to_be_visible()
    shoot(citizen, "rate-form")
    overall = rate.get_by_role("group", name="Overall, how satisfied are you?")
    overall.get_by_label("Very dissatisfied").check()
    rate.get_by_role("group", name="Efficiency").get_by_label("Very dissatisfied").check()
    rate.get_by_label("Had to come back several times").check()
    rate.get_by_label("Comment (optional)").fill("材料清单前后说法不一，跑了三次。")
    rate.get_by_role("button", name="Send my rating").click()
    expect(citizen.get_by_text("The department will look into it")).to_be_visible()
    expect(citizen.get_by_role("heading", name="Your rating")).to_be_visible()
    expect(citizen.locator("#rating")).to_contain_text("Very dissatisfied")
    shoot(citizen, "rated")
    evaluation = Evaluation.objects.get(application=done)
    assert (evaluation.level, evaluation.efficiency) == (1, 1)
    rect = Rectification.objects.get(evaluation=evaluation)

    staff.goto("/staff/")
    staff.get_by_role("link", name="Bad ratings to rectify").click()
    expect(staff.get_by_role("heading", name="Bad ratings to rectify")).to_be_visible()
    shoot(staff, "rectification-list")
    staff.get_by_role("link", name=rect.reference).click()
    expect(staff.locator("main")).to_contain_text("材料清单前后说法不一，跑了三次。")
    shoot(staff, "rectification-detail")

    def step(fill: dict[str, str], choose: str | None = None) -> None:
        section = staff.locator("section", has=staff.get_by_role("heading", name="Next step"))
        if choose:
            section.get_by_label(choose).check()
        for label, value in fill.items():
            section.get_by_label(label).fill(value)
        section.get_by_role("button", name="Save").first.click()

    step({"Note (optional)": "调取受理记录"})
    expect(staff.get_by_text("The investigation has started.")).to_be_visible()
    step({"What the investigation found": "材料清单有两个版本"}, choose="Reasonable: rectify")
    step({"What was done": "统一办事指南与窗口清单"})
    step({"What the applicant said on the call": "已电话致歉，申请人表示理解"})
    step({"Answer to the applicant": "已统一材料清单，感谢您的监督。"})
    expect(staff.get_by_text("The applicant has been sent the answer.")).to_be_visible()
    shoot(staff, "rectification-answered")
    assert Rectification.objects.get(pk=rect.pk).status == RectificationStatus.ANSWERED

    citizen.goto(f"/applications/{done.pk}/")
    answer = citizen.locator("#rectification-answer")
    expect(answer).to_contain_text("已统一材料清单，感谢您的监督。")
    shoot(citizen, "answer")
    citizen.get_by_label("Yes, satisfied").check()
    citizen.get_by_role("button", name="Send my reply").click()
    expect(citizen.get_by_text("You were satisfied with this answer.")).to_be_visible()
    closed = Rectification.objects.get(pk=rect.pk)
    assert closed.status == RectificationStatus.CLOSED and closed.applicant_satisfied is True

    # The department's dashboard counts the rating: one, bad, nobody satisfied.
    staff.goto("/staff/statistics/")
    assert (figure(staff, "Ratings"), figure(staff, "Bad ratings")) == ("1", "1")
    assert figure(staff, "Satisfaction rate") == "0%"
    title = staff.get_by_role("heading", name="Satisfaction per department")
    per_department = staff.locator("details", has=title)
    expect(per_department.get_by_role("table")).to_be_hidden()  # folded until opened
    title.click()
    expect(per_department.get_by_role("row", name=w.department.name)).to_contain_text("0.0%")
    shoot(staff, "dashboard-rated")

    # So does the public page, which lists the answered bad rating without the comment.
    public = new_page()
    public.goto("/satisfaction/")
    public.get_by_role("link", name=w.department.name).click()
    expect(public.get_by_role("heading", name=w.department.name, level=1)).to_be_visible()
    assert (figure(public, "Ratings"), figure(public, "Satisfaction rate")) == ("1", "0%")
    answered = public.locator(
        "section", has=public.get_by_role("heading", name="Latest answered bad ratings")
    )
    expect(answered.get_by_role("row").nth(1)).to_contain_text("Very dissatisfied")
    expect(answered).to_contain_text("Reasonable: rectified")
    expect(public.locator("main")).not_to_contain_text("材料清单前后说法不一")
    shoot(public, "public-department")

"""The rating pages: the form on the applicant's finished case, refusals as messages and
statuses, the department's rectification pages, and the answer shown back to the applicant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import StaffRole
from services import rating, rectification, workflow
from services.models import Evaluation, Rectification
from services.models.evaluations import RectificationStatus
from tests.services.cases import staff, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = False  # the /staff/ guard is tested with the workbench


@pytest.fixture
def w():
    return world()


@pytest.fixture
def done(w):
    return workflow.approve(w.accepted(), by=w.department_admin)


def case_page(client, app):
    return client.get(reverse("services:application_detail", args=[app.pk]))


def rate(client, app, **data):
    return client.post(reverse("services:rate_application", args=[app.pk]), data)


def test_the_completed_case_page_offers_the_rating_form(client, w, done):
    client.force_login(w.applicant)
    page = case_page(client, done).content.decode()
    assert "Rate this service" in page
    assert 'name="level"' in page and 'name="guide_accuracy"' in page
    assert "counts as satisfied" in page


def test_a_case_in_review_offers_no_rating(client, w):
    client.force_login(w.applicant)
    assert "Rate this service" not in case_page(client, w.accepted()).content.decode()


def test_rating_through_the_page_shows_the_rating_instead_of_the_form(client, w, done):
    client.force_login(w.applicant)
    answer = rate(client, done, level="5", efficiency="5", platform_ease="4", tags=["quick"])
    assert answer.status_code == 302
    page = case_page(client, done).content.decode()
    assert "Your rating" in page and "Very satisfied" in page and "Quick" in page
    assert "Rate this service" not in page
    evaluation = Evaluation.objects.get()
    assert (evaluation.level, evaluation.efficiency, evaluation.platform_ease) == (5, 5, 4)


def test_rating_twice_is_refused_with_a_message_and_no_change(client, w, done):
    client.force_login(w.applicant)
    rate(client, done, level="4")
    url = reverse("services:application_detail", args=[done.pk])
    again = client.post(
        reverse("services:rate_application", args=[done.pk]),
        {"level": "1"},
        HTTP_REFERER=f"http://testserver{url}",
        follow=True,
    )
    assert "already been rated" in again.content.decode()
    assert list(Evaluation.objects.values_list("level", flat=True)) == [4]


def test_a_level_outside_the_scale_is_a_400_with_the_field_named(client, w, done):
    client.force_login(w.applicant)
    answer = rate(client, done, level="7")
    assert answer.status_code == 400
    assert "There is a problem" in answer.content.decode()
    assert not Evaluation.objects.exists()


def test_someone_elses_case_cannot_be_rated(client, w, done):
    client.force_login(w.stranger)
    assert rate(client, done, level="1").status_code == 404
    assert not Evaluation.objects.exists()


def test_a_case_not_finished_is_refused_with_409(client, w):
    client.force_login(w.applicant)
    assert rate(client, w.accepted(), level="5").status_code == 409
    assert not Evaluation.objects.exists()


def test_the_follow_up_comment_is_added_once(client, w, done):
    client.force_login(w.applicant)
    rate(client, done, level="3")
    url = reverse("services:rating_follow_up", args=[done.pk])
    client.post(url, {"text": "补充一句"})
    page = case_page(client, done).content.decode()
    assert "补充一句" in page and "Add follow-up comment" not in page


# --- The department -------------------------------------------------------------------------


@pytest.fixture
def rect(w, done):
    rating.rate_application(done, by=w.applicant, level=1, comment="等了很久")
    return Rectification.objects.get()


def test_the_department_administrator_finds_the_rectification_and_answers(client, w, done, rect):
    client.force_login(w.department_admin)
    listing = client.get(reverse("services:rectification_list")).content.decode()
    assert rect.reference in listing and "Very dissatisfied" in listing
    detail = client.get(reverse("services:rectification_detail", args=[rect.pk]))
    assert "等了很久" in detail.content.decode()
    steps = [
        ("investigate", {"investigate-note": ""}),
        ("classify", {"classify-classification": "reasonable", "classify-finding": "窗口排队长"}),
        ("act", {"act-action_taken": "增开窗口"}),
        ("call_back", {"call_back-note": "已电话回访"}),
        ("answer", {"answer-text": "已增开两个窗口，感谢您的监督。"}),
    ]
    for action, data in steps:
        moved = client.post(reverse("services:rectification_move", args=[rect.pk, action]), data)
        assert moved.status_code == 302, (action, moved.content.decode()[:2000])
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.ANSWERED

    client.force_login(w.applicant)
    page = case_page(client, done).content.decode()
    assert "已增开两个窗口，感谢您的监督。" in page
    assert "Are you satisfied with the answer?" in page
    client.post(reverse("services:rating_answer_response", args=[done.pk]), {"satisfied": "yes"})
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.CLOSED and rect.applicant_satisfied is True
    assert "You were satisfied with this answer." in case_page(client, done).content.decode()


def test_a_move_without_its_text_is_a_400_and_changes_nothing(client, w, rect):
    client.force_login(w.department_admin)
    rectification.investigate(rect, by=w.department_admin)
    answer = client.post(
        reverse("services:rectification_move", args=[rect.pk, "classify"]),
        {"classify-classification": "reasonable", "classify-finding": ""},
    )
    assert answer.status_code == 400
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.INVESTIGATING


def test_another_departments_administrator_sees_nothing_of_it(client, w, rect):
    other = world()
    client.force_login(other.department_admin)
    assert rect.reference not in client.get(reverse("services:rectification_list")).content.decode()
    assert client.get(reverse("services:rectification_detail", args=[rect.pk])).status_code == 404
    answered = client.post(
        reverse("services:rectification_move", args=[rect.pk, "investigate"]),
        {"investigate-note": ""},
    )
    assert answered.status_code == 404
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_a_citizen_gets_no_rectification_list(client, w, rect):
    client.force_login(w.applicant)
    assert client.get(reverse("services:rectification_list")).status_code == 403


def test_the_named_reviewer_reads_but_cannot_answer(client, w, rect):
    Rectification.objects.filter(pk=rect.pk).update(staff=w.reviewer)
    client.force_login(w.reviewer)
    detail = client.get(reverse("services:rectification_detail", args=[rect.pk]))
    assert detail.status_code == 200 and "Next step" not in detail.content.decode()
    refused = client.post(
        reverse("services:rectification_move", args=[rect.pk, "investigate"]),
        {"investigate-note": ""},
    )
    assert refused.status_code == 403
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_the_system_administrator_overturns_an_appealed_rating(client, w, rect):
    admin = staff(StaffRole.SYSTEM_ADMIN)
    rectification.appeal(rect, by=w.department_admin, reason="与办件无关")
    client.force_login(admin)
    listing = client.get(reverse("services:rectification_list") + "?show=appealed")
    assert rect.reference in listing.content.decode()
    client.post(
        reverse("services:rectification_move", args=[rect.pk, "overturn"]),
        {"overturn-note": "经核实为恶意差评"},
    )
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OVERTURNED
    assert Evaluation.objects.get().excluded


def test_overdue_ones_are_counted_at_the_top_of_the_list(client, w, rect):
    Rectification.objects.filter(pk=rect.pk).update(overdue=True)
    client.force_login(w.department_admin)
    page = client.get(reverse("services:rectification_list")).content.decode()
    assert "1 rectification is overdue." in page


def test_the_list_takes_the_same_queries_for_many_rows(client, w, django_assert_max_num_queries):
    client.force_login(w.department_admin)
    for _ in range(6):
        app = workflow.approve(w.accepted(), by=w.department_admin)
        rating.rate_application(app, by=w.applicant, level=2)
    client.get(reverse("services:rectification_list"))  # warm caches (sessions, roles)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("services:rectification_list") + "?show=all")
    assert page.content.decode().count("ZG") >= 6


def test_the_workbench_notice_names_the_overdue_rectifications(rf, w, rect):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = w.department_admin
    assert (
        render_to_string("services/rectifications/_workbench_notice.html", request=request) == "\n"
    )
    Rectification.objects.filter(pk=rect.pk).update(overdue=True)
    shown = render_to_string("services/rectifications/_workbench_notice.html", request=request)
    assert "1 rectification is overdue." in shown and "show=overdue" in shown

"""The ratings API: rating a case or a visit, and the rectification moves, with the answers a
program relies on (201, 400, 404, 409 in the one error shape)."""

from __future__ import annotations

import pytest

from portal.models import StaffRole
from services import queueing, rating, rectification, workflow
from services.models import Evaluation, Rectification
from services.models.evaluations import RectificationStatus
from tests.factories import PersonFactory
from tests.services.booking_cases import make_hall
from tests.services.cases import staff, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_MFA_REQUIRED = (
        False  # the second factor of staff API work: test_api_applications
    )


@pytest.fixture
def w():
    return world()


@pytest.fixture
def done(w):
    return workflow.approve(w.accepted(), by=w.department_admin)


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def rate(client, app, body):
    return post(client, f"/api/v1/applications/{app.pk}/evaluation/", body)


def test_rating_a_case_answers_201_with_the_rating(client, w, done):
    client.force_login(w.applicant)
    answer = rate(client, done, {"level": 5, "efficiency": 4, "tags": ["quick"]})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["level"], body["efficiency"], body["tags"]) == (5, 4, ["quick"])
    assert body["rectification"] is None and body["channel"] == "online"


def test_a_bad_rating_names_its_rectification(client, w, done):
    client.force_login(w.applicant)
    body = rate(client, done, {"level": 1, "comment": "跑了三次"}).json()
    assert body["rectification"] == Rectification.objects.get().pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": 6}, "level"),
        ({}, "level"),
        ({"level": "many"}, "level"),
        ({"level": 5, "attitude": 5}, None),  # an on-site indicator on a case: not taken
        ({"level": 5, "efficiency": 9}, "efficiency"),
        ({"level": 5, "tags": ["bribe"]}, "tags"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field(client, w, done, body, field):
    client.force_login(w.applicant)
    answer = rate(client, done, body)
    if field is None:  # unknown keys are ignored, as everywhere in the API
        assert answer.status_code == 201
        assert Evaluation.objects.get().attitude is None
        return
    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not Evaluation.objects.exists()


def test_rating_twice_is_a_409_and_changes_nothing(client, w, done):
    client.force_login(w.applicant)
    rate(client, done, {"level": 4})
    again = rate(client, done, {"level": 1})
    assert again.status_code == 409 and again.json()["code"] == "rated"
    assert list(Evaluation.objects.values_list("level", flat=True)) == [4]


def test_someone_elses_case_is_a_404(client, w, done):
    client.force_login(w.stranger)
    assert rate(client, done, {"level": 1}).status_code == 404
    client.force_login(w.department_admin)
    assert rate(client, done, {"level": 1}).status_code == 404
    assert not Evaluation.objects.exists()


def test_a_case_not_finished_is_a_409(client, w):
    client.force_login(w.applicant)
    answer = rate(client, w.accepted(), {"level": 5})
    assert answer.status_code == 409 and answer.json()["code"] == "illegal_move"


def test_not_signed_in_is_refused(client, done):
    assert rate(client, done, {"level": 5}).status_code in (401, 403)


def test_a_visit_is_rated_by_its_visitor_through_the_api(client):
    place, visitor = make_hall(), PersonFactory().user
    clerk = place.clerk()
    ticket = queueing.walk_in(place.hall, service=place.service, person=visitor)
    client.force_login(visitor)
    path = f"/api/v1/tickets/{ticket.pk}/evaluation/"
    assert post(client, path, {"level": 5}).status_code == 409  # not served yet
    queueing.call_next(place.window, by=clerk)
    queueing.finish(ticket, by=clerk)
    answer = post(client, path, {"level": 2, "attitude": 1, "service_level": 2})
    assert answer.status_code == 201 and answer.json()["channel"] == "on_site"
    assert post(client, path, {"level": 5}).status_code == 409
    client.force_login(PersonFactory().user)
    assert post(client, path, {"level": 5}).status_code == 404


# --- Rectifications -------------------------------------------------------------------------


@pytest.fixture
def rect(w, done):
    rating.rate_application(done, by=w.applicant, level=1, comment="等了很久")
    return Rectification.objects.get()


def move(client, rect, segment, body=None):
    return post(client, f"/api/v1/rectifications/{rect.pk}/{segment}/", body)


def test_the_department_works_the_rectification_through_the_api(client, w, rect):
    client.force_login(w.department_admin)
    listing = client.get("/api/v1/rectifications/?show=open").json()
    assert [row["reference"] for row in listing["results"]] == [rect.reference]
    assert listing["results"][0]["comment"] == "等了很久"
    for segment, body in [
        ("investigate", {}),
        ("classify", {"classification": "reasonable", "finding": "排队时间长"}),
        ("act", {"action_taken": "增开窗口"}),
        ("call-back", {"note": "已回访"}),
        ("answer", {"text": "已增开窗口。"}),
    ]:
        answer = move(client, rect, segment, body)
        assert answer.status_code == 200, (segment, answer.json())
    assert answer.json()["status"] == RectificationStatus.ANSWERED

    client.force_login(w.applicant)
    mine = client.get(f"/api/v1/rectifications/{rect.pk}/").json()
    assert mine["answer"] == "已增开窗口。"
    assert "finding" not in mine and "staff" not in mine  # the department's own notes
    closed = move(client, rect, "reject-answer", {"note": "没解决"})
    assert closed.json()["applicant_satisfied"] is False


def test_an_illegal_move_is_a_409(client, w, rect):
    client.force_login(w.department_admin)
    answer = move(client, rect, "answer", {"text": "已处理"})
    assert answer.status_code == 409 and answer.json()["code"] == "illegal_move"
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_another_departments_rectification_is_a_404(client, w, rect):
    client.force_login(world().department_admin)
    assert move(client, rect, "investigate").status_code == 404
    assert client.get("/api/v1/rectifications/").json()["results"] == []
    rect.refresh_from_db()
    assert rect.status == RectificationStatus.OPEN


def test_the_applicant_cannot_answer_his_own_rating(client, w, rect):
    client.force_login(w.applicant)
    assert move(client, rect, "investigate").status_code == 403


def test_an_appeal_after_its_deadline_is_a_409(client, w, rect):
    import datetime as dt

    from django.utils import timezone

    Rectification.objects.filter(pk=rect.pk).update(
        appeal_by=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(w.department_admin)
    answer = move(client, rect, "appeal", {"reason": "恶意"})
    assert answer.status_code == 409
    assert "appeal" in answer.json()["detail"]


def test_an_appeal_decided_by_the_system_administrator(client, w, rect):
    rectification.appeal(rect, by=w.department_admin, reason="与办件无关")
    client.force_login(w.department_admin)
    assert move(client, rect, "overturn", {"note": "x"}).status_code == 403
    client.force_login(staff(StaffRole.SYSTEM_ADMIN))
    assert move(client, rect, "overturn", {}).status_code == 400  # the reasons are required
    assert move(client, rect, "overturn", {"note": "恶意差评"}).json()["status"] == "overturned"
    assert Evaluation.objects.get().excluded


def test_the_list_takes_the_same_queries_for_many_rows(client, w, django_assert_max_num_queries):
    for _ in range(5):
        app = workflow.approve(w.accepted(), by=w.department_admin)
        rating.rate_application(app, by=w.applicant, level=2)
    client.force_login(w.department_admin)
    client.get("/api/v1/rectifications/")
    with django_assert_max_num_queries(8):
        listing = client.get("/api/v1/rectifications/").json()
    assert listing["count"] == 5


def test_the_schema_documents_the_rating_endpoints_with_their_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    rate_op = paths["/api/v1/applications/{id}/evaluation/"]["post"]
    assert {"201", "400", "404", "409"} <= set(rate_op["responses"])
    assert rate_op["description"]
    assert "409" in paths["/api/v1/rectifications/{id}/answer/"]["post"]["responses"]
    assert "/api/v1/tickets/{id}/evaluation/" in paths
    assert "get" in paths["/api/v1/rectifications/"]

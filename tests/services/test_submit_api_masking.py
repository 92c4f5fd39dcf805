"""Whoever reads someone else's application through the API (staff, a department's system)
gets its ID and mobile numbers masked, as the staff pages show them; the applicant gets his
own answers whole."""

from __future__ import annotations

import pytest

from portal.demo import person_id_number
from services import drafts
from tests.services.cases import attach_pdf, world
from tests.services.factories import field
from tests.services.test_api_applications import department_system, sign_in, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]
ID_NUMBER = person_id_number("440106", "19950615", "731")


@pytest.fixture
def case():
    w = world()
    w.service.form_definition = {
        "fields": [
            field("applicant_name"),
            field("id_number", "id_number"),
            field("phone", "phone"),
            field("note", required=False),
        ]
    }
    w.service.save()
    app = drafts.start(by=w.applicant, service=w.service)
    drafts.save_answers(
        app,
        by=w.applicant,
        answers={"applicant_name": "张小明", "id_number": ID_NUMBER, "phone": "13800138000"},
    )
    attach_pdf(app, w.material, w.applicant)
    app = drafts.submit_draft(app, by=w.applicant)
    return w, app


def test_the_applicant_reads_his_own_numbers_whole(client, case):
    w, app = case
    client.force_login(w.applicant)
    answers = client.get(url(app)).json()["answers"]
    assert answers["id_number"] == ID_NUMBER and answers["phone"] == "+8613800138000"


def test_a_clerk_reads_them_masked_as_on_his_pages(client, case):
    w, app = case
    sign_in(client, w.clerk)
    answers = client.get(url(app)).json()["answers"]
    assert answers == {
        "applicant_name": "张小明",
        "id_number": "4401**********731" + ID_NUMBER[-1],
        "phone": "138****8000",
    }
    assert ID_NUMBER not in client.get(url(app)).content.decode()


def test_a_department_system_reads_them_masked(client, case):
    w, app = case
    body = client.get(url(app), **department_system(w.department)).content.decode()
    assert ID_NUMBER not in body and "13800138000" not in body
    assert "138****8000" in body


def test_an_answer_no_longer_asked_for_is_masked_when_it_holds_a_number(client, case):
    w, app = case
    app.answers = {**app.answers, "old_contact": "电话 13900139000"}
    app.save(update_fields=["answers"])
    sign_in(client, w.clerk)
    answers = client.get(url(app)).json()["answers"]
    assert "13900139000" not in answers["old_contact"]

"""A person's name in an application form (type ``person_name``) takes the legal-name rule the
profile, the API and certificates use, on the page and through the API; an organisation's name
(type ``text``) keeps its own rules."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from services import formdefs
from services.models import Application, ApplicationStatus
from tests.services.cases import PDF, world
from tests.services.factories import field

pytestmark = pytest.mark.django_db

NAME = field("applicant_name", "person_name")
COMPANY = field("company_name", rules={"max_length": 100})


def _refusal(spec: dict, value) -> str:
    with pytest.raises(ValidationError) as info:
        formdefs.validate_submission({"fields": [spec]}, {spec["key"]: value})
    ((error,),) = info.value.error_dict.values()
    return error.code


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("张 三", "张三"),
        (" 欧阳锋 ", "欧阳锋"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("Anna   Maria", "Anna Maria"),
        ("ＺＨＡＮＧ Ｗｅｉ", "ZHANG Wei"),
    ],
)
def test_a_persons_name_is_kept_as_the_profile_keeps_it(typed, kept):
    cleaned = formdefs.validate_submission({"fields": [NAME]}, {"applicant_name": typed})
    assert cleaned == {"applicant_name": kept}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("张三3", "legal_name_characters"),
        ("张\u202e三", "legal_name_characters"),
        ("<b>张三</b>", "legal_name_characters"),
        ("张三😀", "legal_name_characters"),
        ("·张三", "legal_name_dots"),
        ("张" * 65, "legal_name_length"),
    ],
)
def test_a_persons_name_is_refused_as_the_profile_refuses_it(typed, code):
    assert _refusal(NAME, typed) == code


def test_a_shorter_limit_of_the_field_still_applies():
    newborn = field("child_name", "person_name", rules={"max_length": 4})
    assert _refusal(newborn, "欧阳小明明") == "max_length"
    assert formdefs.validate_definition({"fields": [newborn]})
    with pytest.raises(ValidationError, match="rules not allowed for this type: pattern"):
        formdefs.validate_definition(
            {"fields": [field("child_name", "person_name", rules={"pattern": ".*"})]}
        )


def test_an_organisations_name_keeps_its_own_rules():
    definition = {"fields": [NAME, COMPANY]}
    cleaned = formdefs.validate_submission(
        definition, {"applicant_name": "张三", "company_name": "广州3D打印科技有限公司（分公司）"}
    )
    assert cleaned["company_name"] == "广州3D打印科技有限公司（分公司）"


def _world_with_names():
    w = world()
    w.service.form_definition = {"fields": [NAME, COMPANY]}
    w.service.save(update_fields=["form_definition"])
    return w


def test_the_application_page_refuses_a_name_no_id_card_bears(client, english):
    w = _world_with_names()
    client.force_login(w.applicant)
    response = client.post(reverse("services:apply", args=[w.service.code]), {"token": "t"})
    draft = Application.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    edit_url = reverse("services:application_edit", args=[draft.pk])
    page = client.get(edit_url).content.decode()
    assert 'name="applicant_name"' in page and 'maxlength="64"' in page
    answers = {"applicant_name": "张三3", "company_name": "广州3D打印科技有限公司"}
    refused = client.post(edit_url, {**answers, f"file-{w.material.pk}": _pdf(), "_do": "submit"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "A legal name holds Chinese characters, or Latin letters" in body
    assert 'id="id_applicant_name_error"' in body
    assert "company_name_error" not in body  # the organisation's name is fine as it is
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    done = client.post(
        edit_url,
        {**answers, "applicant_name": "张 三", f"file-{w.material.pk}": _pdf(), "_do": "submit"},
    )
    assert done.status_code == 302, done.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.status != ApplicationStatus.DRAFT
    assert draft.answers["applicant_name"] == "张三"


def test_the_api_refuses_a_name_no_id_card_bears(client, english):
    w = _world_with_names()
    client.force_login(w.applicant)
    body = {
        "service": w.service.code,
        "answers": {"applicant_name": "Zhang\u202eSan", "company_name": "广州3D打印科技有限公司"},
    }
    response = client.post(
        "/api/v1/applications/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 400, response.content
    problems = response.json()["fields"]["answers"]
    assert set(problems) == {"applicant_name"}
    assert "“U+202E” cannot be part of one" in problems["applicant_name"][0]
    assert not Application.objects.exists()


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")

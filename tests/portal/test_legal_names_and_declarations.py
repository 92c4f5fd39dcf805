"""A legal name is checked by one rule wherever a person's legal name is entered (the real-name
page, the API, a certificate's holder), and real-name declarations are limited per account and
audited when they hit another account's number, so that the duplicate refusal cannot be used
to find out whose ID numbers are registered."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from certificates.forms import IssueForm
from certificates.models import HolderKind
from portal import realname
from portal.models import AuditEvent, PersonProfile
from tests.factories import PASSWORD, PersonFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def signed_in(client):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return user


def declare_by_api(api, name="李四", number=None):
    return api.post(
        "/api/v1/me/realname/",
        {"legal_name": name, "id_number": number or make_id_number()},
        format="json",
    )


@pytest.mark.parametrize(
    ("name", "refused"),
    [("<b>x</b>", "<"), ("李四<script>", "<"), ("李\u200b四", "U+200B"), ("Li_Si", "_")],
)
def test_the_api_refuses_a_name_with_markup_naming_the_character(api, english, name, refused):
    response = declare_by_api(api, name)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "legal_name_characters"
    assert f"“{refused}”" in body["fields"]["legal_name"][0]
    assert not PersonProfile.objects.exists()


def test_the_page_refuses_it_beside_the_field(client, english):
    signed_in(client)
    response = client.post(
        "/profile/realname/", {"legal_name": "<b>x</b>", "id_number": make_id_number()}
    )
    assert response.status_code == 200
    assert "“<”" in response.context["form"].errors["legal_name"][0]
    assert not PersonProfile.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("阿卜杜热合曼 • 买买提", "阿卜杜热合曼·买买提"), ("  John   SMITH ", "John SMITH")],
)
def test_a_name_is_stored_as_written_on_the_card(api, client, typed, stored):
    assert declare_by_api(api, typed).json()["legal_name"] == stored
    user = signed_in(client)
    client.post("/profile/realname/", {"legal_name": typed, "id_number": make_id_number()})
    assert PersonProfile.objects.get(user=user).legal_name == stored


def test_a_certificate_holders_name_follows_the_same_rule_for_a_person_only(english):
    data = {"holder_name": "<b>x</b>", "holder_code": make_id_number(), "idempotency_key": "k"}
    person = IssueForm(data, surface_fields=[], holder_kind=HolderKind.PERSON)
    assert not person.is_valid()
    assert "“<”" in person.errors["holder_name"][0]
    data["holder_name"] = "王五 · 阿里"
    person = IssueForm(data, surface_fields=[], holder_kind=HolderKind.PERSON)
    assert person.is_valid(), person.errors
    assert person.cleaned_data["holder_name"] == "王五·阿里"
    # An organisation's registered name may hold brackets and digits.
    organisation = IssueForm(
        {**data, "holder_name": "广州某某有限公司（第1分公司）"},
        surface_fields=[],
        holder_kind=HolderKind.ORGANISATION,
    )
    organisation.is_valid()
    assert "holder_name" not in organisation.errors


@override_settings(REALNAME_DECLARATIONS_PER_HOUR=3, REALNAME_DECLARATIONS_PER_DAY=5)
def test_declarations_are_limited_per_account_with_429(api, english):
    for _ in range(3):
        assert declare_by_api(api).status_code == 200
    refused = declare_by_api(api)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_declarations"
    assert "Try again in" in refused.json()["detail"]
    # Someone else is not held back by it.
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert declare_by_api(other).status_code == 200


@override_settings(REALNAME_DECLARATIONS_PER_HOUR=3, REALNAME_DECLARATIONS_PER_DAY=5)
def test_the_day_limit_holds_across_hours(api, monkeypatch):
    midnight = 1_800_000_000 - 1_800_000_000 % 86400
    answers = []
    for hour in (0, 0, 1, 1, 2, 3):
        monkeypatch.setattr(realname, "_clock", lambda h=hour: midnight + h * 3600 + 60)
        answers.append(declare_by_api(api).status_code)
    assert answers == [200, 200, 200, 200, 200, 429]


@override_settings(REALNAME_DECLARATIONS_PER_HOUR=2)
def test_probing_numbers_is_stopped_and_seen_by_administrators(api):
    prober = UserFactory()
    api.force_authenticate(prober)
    holders = [PersonFactory() for _ in range(3)]
    answers = [declare_by_api(api, "冒名", h.reveal_id_number()) for h in holders]
    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[0].json()["code"] == "duplicate_id_number"
    rows = AuditEvent.objects.filter(action=realname.DUPLICATE_REFUSED).order_by("pk")
    assert [(r.actor_id, r.subject_id) for r in rows] == [
        (prober.pk, holders[0].user_id),
        (prober.pk, holders[1].user_id),
    ]
    for row in rows:  # who tried whose number and from where, never the number itself
        assert holders[0].reveal_id_number() not in str(row.detail) + row.reason
        assert row.client_address == "127.0.0.1"


@override_settings(REALNAME_DECLARATIONS_PER_HOUR=1)
def test_the_page_says_so_too(client, english):
    signed_in(client)
    page = "http://testserver/profile/realname/"
    first = client.post(page, {"legal_name": "李四", "id_number": make_id_number()})
    assert first.status_code == 302
    second = client.post(
        page, {"legal_name": "李四", "id_number": make_id_number()}, HTTP_REFERER=page
    )
    assert second.status_code == 302  # back to the form, with the refusal as a message
    shown = client.get(second["Location"]).content.decode()
    assert "too many times" in shown
    direct = client.post(page, {"legal_name": "李四", "id_number": make_id_number()})
    assert direct.status_code == 429
    assert "too many times" in direct.content.decode()

"""Organisation accounts: the representative authorises agents, who switch to act for it;
a window clerk confirms the organisation once its representative's real name is verified."""

import pytest
from django.test import Client

from portal import organisations
from portal.errors import NotAllowed
from portal.models import (
    AuditAction,
    AuditEvent,
    Organisation,
    OrganisationAgent,
    RealNameLevel,
    StaffRole,
)
from tests.factories import PASSWORD, PersonFactory, UserFactory, make_staff, make_uscc

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return user


def _register(client, name="广州示例科技有限公司"):
    code = make_uscc()
    response = client.post("/organisations/new/", {"uscc": code, "name": name})
    assert response.status_code == 302
    from portal.models import Organisation

    return Organisation.objects.get(uscc=code)


def test_the_representative_registers_and_authorises_an_agent(client):
    boss = _signed_in(client, UserFactory())
    org = _register(client)
    assert org.legal_representative == boss
    agent = UserFactory(phone="+8613700000777")  # outside the factory's 139 range
    response = client.post(f"/organisations/{org.pk}/agents/", {"phone": "137 0000 0777"})
    assert response.status_code == 302
    assert OrganisationAgent.objects.filter(organisation=org, user=agent).exists()
    assert AuditEvent.objects.filter(action=AuditAction.AGENT_AUTHORISED, subject=agent).exists()


@pytest.fixture
def organisation_with_agent():
    """A representative (with his own browser) who has authorised one agent."""
    boss_client = Client()
    _signed_in(boss_client, UserFactory())
    org = _register(boss_client)
    agent = UserFactory()
    boss_client.post(f"/organisations/{org.pk}/agents/", {"phone": agent.phone})
    return boss_client, org, agent


def test_an_agent_switches_between_himself_and_the_organisation(client, organisation_with_agent):
    _boss_client, org, agent = organisation_with_agent
    _signed_in(client, agent)
    client.post("/profile/act-for/", {"organisation": org.pk})
    assert client.get("/profile/").context["acting"] == org
    client.post("/profile/act-for/", {"organisation": ""})
    assert client.get("/profile/").context["acting"] is None


def test_a_withdrawn_agent_stops_acting_at_once(client, organisation_with_agent):
    boss_client, org, agent = organisation_with_agent
    _signed_in(client, agent)
    client.post("/profile/act-for/", {"organisation": org.pk})

    agency = OrganisationAgent.objects.get(user=agent)
    boss_client.post(f"/organisations/{org.pk}/agents/{agency.pk}/revoke/")
    assert client.get("/profile/").context["acting"] is None
    assert client.post("/profile/act-for/", {"organisation": org.pk}).status_code == 404


def test_strangers_cannot_act_for_or_manage_an_organisation(client, organisation_with_agent):
    _boss_client, org, _agent = organisation_with_agent
    _signed_in(client, UserFactory())
    assert client.post("/profile/act-for/", {"organisation": org.pk}).status_code == 404
    assert client.get(f"/organisations/{org.pk}/agents/").status_code == 404


def test_an_agent_must_have_an_account(client):
    _signed_in(client, UserFactory())
    org = _register(client)
    response = client.post(f"/organisations/{org.pk}/agents/", {"phone": "13700000000"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors


def test_a_registered_organisation_cannot_be_registered_again(client):
    _signed_in(client, UserFactory())
    org = _register(client)
    response = client.post("/organisations/new/", {"uscc": org.uscc, "name": "另一个"})
    assert response.status_code == 200
    assert "uscc" in response.context["form"].errors


def test_a_wrong_uscc_is_explained(client):
    _signed_in(client, UserFactory())
    code = make_uscc()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post("/organisations/new/", {"uscc": bad, "name": "示例"})
    assert response.status_code == 200
    assert response.context["form"].errors["uscc"]


@pytest.fixture
def clerk_client(settings):
    settings.STAFF_MFA_REQUIRED = False  # MFA is tested in test_staff_mfa
    client = Client()
    clerk = _signed_in(client, make_staff(StaffRole.CLERK))
    return client, clerk


def _represented(person):
    return organisations.register(person.user, uscc=make_uscc(), name="广州示例餐饮有限公司")


def _look_up(client, person):
    number = person.reveal_id_number()
    response = client.post("/staff/identify/", {"id_number": number, "reason": "法人确认"})
    assert response.status_code == 200
    return response


def test_a_clerk_confirms_the_organisation_of_a_verified_representative(clerk_client, english):
    client, clerk = clerk_client
    boss = PersonFactory(verified=True)
    org = _represented(boss)
    assert org.verified_at is None

    response = _look_up(client, boss)
    assert list(response.context["organisations"]) == [org]
    page = response.content.decode()
    assert org.uscc in page and "Confirm at the window" in page

    response = client.post(f"/staff/organisations/{org.pk}/confirm/", follow=True)
    assert any("confirmed" in str(m) for m in response.context["messages"])
    org.refresh_from_db()
    assert org.verified_at is not None and org.verified_by == clerk
    event = AuditEvent.objects.get(action=AuditAction.ORGANISATION_CONFIRMED)
    assert (event.actor, event.subject) == (clerk, boss.user)
    assert event.detail["organisation_id"] == org.pk
    assert "Confirm at the window" not in response.content.decode()

    # Confirming again changes nothing and writes no second audit row.
    first = org.verified_at
    client.post(f"/staff/organisations/{org.pk}/confirm/")
    org.refresh_from_db()
    assert org.verified_at == first
    assert AuditEvent.objects.filter(action=AuditAction.ORGANISATION_CONFIRMED).count() == 1


def test_confirming_needs_the_representatives_real_name_verified(clerk_client, english):
    client, _clerk = clerk_client
    boss = PersonFactory()  # self-declared only
    org = _represented(boss)
    page = _look_up(client, boss).content.decode()
    assert "Verify the representative's identity first." in page
    assert "Confirm at the window" not in page

    response = client.post(f"/staff/organisations/{org.pk}/confirm/", follow=True)
    assert any("not verified" in str(m) for m in response.context["messages"])
    org.refresh_from_db()
    assert org.verified_at is None
    assert not AuditEvent.objects.filter(action=AuditAction.ORGANISATION_CONFIRMED).exists()


def test_a_clerk_confirms_only_for_the_representative_he_looked_up(clerk_client):
    client, _clerk = clerk_client
    boss, stranger = PersonFactory(verified=True), PersonFactory(verified=True)
    org = _represented(boss)
    client.post(f"/staff/organisations/{org.pk}/confirm/")  # nobody looked up
    _look_up(client, stranger)
    client.post(f"/staff/organisations/{org.pk}/confirm/")  # someone else looked up
    org.refresh_from_db()
    assert org.verified_at is None


@pytest.mark.parametrize("role", [StaffRole.REVIEWER, StaffRole.SYSTEM_ADMIN, None])
def test_only_clerks_confirm_organisations(client, settings, role):
    settings.STAFF_MFA_REQUIRED = False
    org = _represented(PersonFactory(verified=True))
    _signed_in(client, make_staff(role) if role else org.legal_representative)
    assert client.post(f"/staff/organisations/{org.pk}/confirm/").status_code == 403
    org.refresh_from_db()
    assert org.verified_at is None
    with pytest.raises(NotAllowed):
        organisations.confirm_at_window(org, by=org.legal_representative)


def test_the_representative_sees_whether_his_organisation_is_confirmed(client, english):
    boss = PersonFactory(verified=True)
    org = _represented(boss)
    _signed_in(client, boss.user)
    for url in ("/profile/", f"/organisations/{org.pk}/agents/"):
        page = client.get(url).content.decode()
        assert "not confirmed" in page and "business licence" in page

    organisations.confirm_at_window(org, by=make_staff(StaffRole.CLERK))
    for url in ("/profile/", f"/organisations/{org.pk}/agents/"):
        page = client.get(url).content.decode()
        assert "confirmed at a window" in page and "not confirmed" not in page


def test_registering_says_the_organisation_must_be_confirmed(client, english):
    _signed_in(client, UserFactory())
    response = client.post(
        "/organisations/new/", {"uscc": make_uscc(), "name": "示例"}, follow=True
    )
    assert any("service window" in str(m) for m in response.context["messages"])
    assert Organisation.objects.get().verified_at is None


def _confirm_from_licence(client, uscc, name="广州示例餐饮有限公司"):
    return client.post(
        "/staff/organisations/confirm/", {"org-uscc": uscc, "org-name": name}, follow=True
    )


def test_a_registration_squatted_by_someone_else_passes_to_the_representative_on_the_licence(
    clerk_client, english, sms_outbox, django_capture_on_commit_callbacks
):
    client, clerk = clerk_client
    squatter = PersonFactory(verified=True)
    squatted = _represented(squatter)
    helper = UserFactory()
    organisations.authorise_agent(squatted, phone=helper.phone, by=squatter.user)
    owner = PersonFactory(verified=True)
    _look_up(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm_from_licence(client, squatted.uscc)
    assert "has been confirmed" in response.content.decode()
    squatted.refresh_from_db()
    assert squatted.legal_representative == owner.user and squatted.verified_at is not None
    assert not organisations.for_user(squatter.user).exists()
    assert not organisations.for_user(helper).exists()  # the squatter's agents are gone too
    assert sms_outbox[-1].phone == squatter.user.phone
    event = AuditEvent.objects.get(action=AuditAction.ORGANISATION_CONFIRMED)
    assert (event.actor, event.subject) == (clerk, owner.user)
    assert event.detail["taken_from_user_id"] == squatter.user.pk


def test_an_unregistered_organisation_is_registered_and_confirmed_at_the_window(
    clerk_client, english
):
    client, _clerk = clerk_client
    owner = PersonFactory(verified=True)
    _look_up(client, owner)
    code = make_uscc()
    _confirm_from_licence(client, code, name="广州新开餐饮有限公司")
    organisation = Organisation.objects.get(uscc=code)
    assert organisation.legal_representative == owner.user and organisation.is_confirmed


def test_an_organisation_confirmed_for_another_representative_is_not_taken(clerk_client, english):
    client, clerk = clerk_client
    first = PersonFactory(verified=True)
    confirmed = organisations.confirm_at_window(_represented(first), by=clerk)
    other = PersonFactory(verified=True)
    _look_up(client, other)
    response = _confirm_from_licence(client, confirmed.uscc)
    assert "confirmed for another legal representative" in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.legal_representative == first.user


def test_a_citizen_not_yet_verified_is_offered_no_licence_confirmation(clerk_client, english):
    client, _clerk = clerk_client
    person = PersonFactory(realname_level=RealNameLevel.SELF_DECLARED)
    page = _look_up(client, person).content.decode()
    assert "Confirm an organisation from its business licence" not in page
    response = _confirm_from_licence(client, make_uscc())
    assert "not verified yet" in response.content.decode()
    assert not Organisation.objects.exists()

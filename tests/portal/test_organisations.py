"""Organisation accounts: the representative authorises agents, who switch to act for it."""

import pytest
from django.test import Client

from portal.models import AuditAction, AuditEvent, OrganisationAgent
from tests.factories import PASSWORD, UserFactory, make_uscc

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

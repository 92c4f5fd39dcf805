"""The portal's own domain code refuses with the shared refusals, saying why in words."""

import pytest

from portal import organisations, realname
from portal.errors import NotAllowed, NotFound
from tests.factories import PersonFactory, UserFactory, make_uscc

pytestmark = pytest.mark.django_db


def test_someone_not_a_window_clerk_is_refused_with_a_message(english):
    citizen = UserFactory()
    with pytest.raises(NotAllowed) as refused:
        realname.send_window_code(PersonFactory(), by=citizen)
    assert (refused.value.status, refused.value.message) == (403, "Only window clerks do this.")


def test_only_the_representative_manages_agents(english):
    boss, stranger = UserFactory(), UserFactory()
    org = organisations.register(boss, uscc=make_uscc(), name="广州示例科技有限公司")
    with pytest.raises(NotAllowed) as refused:
        organisations.authorise_agent(org, phone=stranger.phone, by=stranger)
    assert refused.value.message == "Only the legal representative authorises agents."


def test_acting_for_an_organisation_one_may_not_act_for_does_not_reveal_it(rf, english):
    org = organisations.register(UserFactory(), uscc=make_uscc(), name="广州示例科技有限公司")
    request = rf.post("/profile/act-for/")
    request.user = UserFactory()
    request.session = {}
    with pytest.raises(NotFound):
        organisations.act_for(request, org.pk)
    assert request.session == {}

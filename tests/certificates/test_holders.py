"""Whose wallet a certificate is in: worked out from the holder code and real-name level."""

from certificates import issuing, selectors
from portal import organisations, realname
from portal.models import Organisation, RealNameLevel, StaffRole
from tests.certificates.conftest import make_type
from tests.factories import PersonFactory, UserFactory, make_id_number, make_staff, make_uscc


def _issue(ctype, issuer, name, code):
    return issuing.issue(
        type=ctype, issuer=issuer, holder_name=name, holder_code=code, surface={}, by=None
    )


def test_declaring_someone_elses_number_does_not_give_his_certificates(client, issuer, ctype):
    impostor = PersonFactory(realname_level=RealNameLevel.SELF_DECLARED)
    certificate = _issue(ctype, issuer, "张三", impostor.reveal_id_number())
    client.force_login(impostor.user)
    assert client.get(f"/wallet/{certificate.pk}/").status_code == 404
    assert client.get(f"/wallet/{certificate.pk}/document/").status_code == 404
    assert client.get("/api/v1/certificates/").json()["count"] == 0
    assert "once your real name is verified" in client.get("/wallet/").content.decode()


def test_a_holder_who_signs_up_after_issue_sees_his_certificate_once_verified(
    client, issuer, ctype
):
    late = PersonFactory(realname_level=RealNameLevel.SELF_DECLARED)
    number = late.reveal_id_number()
    certificate = _issue(ctype, issuer, "张三", number)
    client.force_login(late.user)
    assert client.get(f"/wallet/{certificate.pk}/").status_code == 404
    realname.verify_at_window(late, by=make_staff(StaffRole.CLERK))
    assert client.get(f"/wallet/{certificate.pk}/").status_code == 200
    assert "once your real name is verified" not in client.get("/wallet/").content.decode()


def test_an_id_number_moved_to_another_account_takes_the_certificates_along(
    client, certificate, person
):
    number = person.reveal_id_number()
    person.set_id_number(make_id_number())  # the old account gets a corrected one
    person.save()
    new_home = PersonFactory(id_number=number, verified=True)
    client.force_login(person.user)
    assert client.get(f"/wallet/{certificate.pk}/").status_code == 404
    client.force_login(new_home.user)
    assert client.get(f"/wallet/{certificate.pk}/").status_code == 200


def test_an_organisation_sees_its_certificates_once_confirmed_with_a_verified_representative(
    client, issuer
):
    licence_type = make_type(issuer, kind="organisation", seq=2)
    code = make_uscc()
    licence = _issue(licence_type, issuer, "广州示例科技有限公司", code)
    boss = PersonFactory(realname_level=RealNameLevel.SELF_DECLARED)
    organisation = Organisation.objects.create(
        uscc=code, name="广州示例科技有限公司", legal_representative=boss.user
    )
    agent = UserFactory()
    organisations.authorise_agent(organisation, phone=agent.phone, by=boss.user)
    clerk = make_staff(StaffRole.CLERK)
    for user in (boss.user, agent):
        assert not selectors.holds(user, licence)
    realname.verify_at_window(boss, by=clerk)
    assert not selectors.holds(boss.user, licence)  # registered, but not yet confirmed
    organisations.confirm_at_window(organisation, by=clerk)
    client.force_login(agent)
    assert client.get(f"/wallet/{licence.pk}/").status_code == 200
    assert selectors.holds(boss.user, licence)

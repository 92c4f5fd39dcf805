"""Real-name identity: declaring, duplicates, the clerk's audited look-up, window verification."""

import re

import pytest

from portal import identity
from portal.models import AuditAction, AuditEvent, PersonProfile, RealNameLevel, StaffRole
from tests.factories import PASSWORD, PersonFactory, UserFactory, make_id_number, make_staff

pytestmark = pytest.mark.django_db


def _signed_in(client, user=None):
    user = user or UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return user


def test_declaring_stores_the_number_encrypted_and_shows_it_masked(client):
    user = _signed_in(client)
    number = make_id_number()
    response = client.post("/profile/realname/", {"legal_name": "李四", "id_number": number})
    assert response.status_code == 302
    profile = PersonProfile.objects.get(user=user)
    assert profile.realname_level == RealNameLevel.SELF_DECLARED
    assert number not in profile.id_number_encrypted
    assert profile.reveal_id_number() == number
    page = client.get("/profile/").content.decode()
    assert identity.mask_id_number(number) in page and number not in page


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("44010619900307", "18"),
        ("440106199002301234", "1990-02-30"),
    ],
)
def test_a_wrong_number_is_explained_on_the_form(client, value, fragment):
    _signed_in(client)
    response = client.post("/profile/realname/", {"legal_name": "李四", "id_number": value})
    assert response.status_code == 200
    assert fragment in response.context["form"].errors["id_number"][0]
    assert not PersonProfile.objects.exists()


@pytest.mark.parametrize("name", ["", "李\x00四", "李" * 65])
def test_bad_names_are_refused_without_a_server_error(client, name):
    _signed_in(client)
    response = client.post(
        "/profile/realname/", {"legal_name": name, "id_number": make_id_number()}
    )
    assert response.status_code == 200
    assert "legal_name" in response.context["form"].errors


def test_a_number_already_linked_is_refused_without_saying_whose(client):
    owner = PersonFactory(legal_name="王五")
    number = owner.reveal_id_number()
    _signed_in(client)
    response = client.post("/profile/realname/", {"legal_name": "冒名", "id_number": number})
    assert response.status_code == 200
    error = response.context["form"].errors["id_number"][0]
    assert "service window" in error or "窗口" in error
    body = response.content.decode()
    assert "王五" not in body and owner.user.email not in body and "王*" not in body


def test_a_verified_identity_cannot_be_changed_online(client):
    person = PersonFactory(verified=True)
    _signed_in(client, person.user)
    response = client.post(
        "/profile/realname/", {"legal_name": "别名", "id_number": make_id_number()}
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.legal_name == "张小明"


def test_a_clerk_finds_a_citizen_by_id_number_and_the_read_is_audited(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    clerk = _signed_in(client, make_staff(StaffRole.CLERK))
    person = PersonFactory(legal_name="赵六")
    number = person.reveal_id_number()
    response = client.post("/staff/identify/", {"id_number": number, "reason": "办理出生登记"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "赵六" in body and identity.mask_id_number(number) in body and number not in body
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (event.actor, event.subject, event.reason) == (clerk, person.user, "办理出生登记")
    assert "id_number" in event.fields


def test_a_clerk_verifies_identity_at_the_window_with_the_code_the_holder_reads_back(
    client, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.STAFF_MFA_REQUIRED = False
    clerk = _signed_in(client, make_staff(StaffRole.CLERK))
    person = PersonFactory()
    client.post("/staff/identify/", {"id_number": person.reveal_id_number(), "reason": "核验"})
    # Pressing "verify" without the code verifies nothing.
    client.post(f"/staff/identify/{person.pk}/verify/")
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/staff/identify/{person.pk}/code/").status_code == 302
    assert sms_outbox[-1].phone == person.user.phone
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms_outbox[-1].message).group(1)
    response = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": code})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.WINDOW
    assert person.realname_verified_by == clerk
    assert AuditEvent.objects.filter(
        action=AuditAction.REALNAME_VERIFIED, subject=person.user
    ).exists()


def test_reviewers_cannot_use_the_clerk_look_up(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    _signed_in(client, make_staff(StaffRole.REVIEWER))
    assert client.get("/staff/identify/").status_code == 403


def test_reading_ones_own_profile_is_not_an_audited_read(client):
    person = PersonFactory()
    _signed_in(client, person.user)
    client.get("/profile/")
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()


def test_an_administrator_opening_a_person_profile_is_audited(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    admin_user = _signed_in(client, make_staff(StaffRole.SYSTEM_ADMIN))
    person = PersonFactory()
    response = client.get(f"/admin/portal/personprofile/{person.pk}/change/")
    assert response.status_code == 200
    assert person.reveal_id_number() not in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.PERSONAL_DATA_VIEWED)
    assert (event.actor, event.subject) == (admin_user, person.user)


def test_the_audit_log_is_append_only():
    event = AuditEvent.objects.create(action=AuditAction.SIGN_IN)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(reason="x")

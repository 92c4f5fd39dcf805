"""Window verification: the account's holder reads back a code sent to its phone; a number
declared by someone else is released from his account, so that the card holder can claim it."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from portal import organisations, realname
from portal.models import (
    AuditAction,
    AuditEvent,
    OutboundSMS,
    PersonProfile,
    RealNameLevel,
    StaffRole,
    WindowCode,
)
from tests.factories import (
    PASSWORD,
    PersonFactory,
    UserFactory,
    make_id_number,
    make_staff,
    make_uscc,
)

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    assert client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
    return user


@pytest.fixture
def clerk_client(settings, english):
    settings.STAFF_MFA_REQUIRED = False  # MFA is tested in test_staff_mfa
    client = Client()
    clerk = _signed_in(client, make_staff(StaffRole.CLERK))
    return client, clerk


def _code_in(message: str) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", message).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _look_up(client, number):
    response = client.post("/staff/identify/", {"id_number": number, "reason": "实名核验"})
    assert response.status_code == 200
    return response


def _send_code(client, profile, capture) -> str:
    """Press "send a code"; return the code the account's phone received."""
    with capture(execute=True):
        response = client.post(f"/staff/identify/{profile.pk}/code/")
    assert response.status_code == 302
    from portal import sms

    return _code_in(sms.outbox[-1].message)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_impostors_account_is_not_verified_by_the_owners_id_card_and_the_owner_gets_it_back(
    clerk_client, sms_outbox, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    client, clerk = clerk_client
    number = make_id_number()

    # The impostor declares the victim's number first, online.
    impostor = UserFactory()
    impostor_client = Client()
    _signed_in(impostor_client, impostor)
    response = impostor_client.post(
        "/profile/realname/", {"legal_name": "王五", "id_number": number}
    )
    assert response.status_code == 302
    fake = PersonProfile.objects.get(user=impostor)

    # The victim comes to the window with his ID card; the clerk looks the number up.
    victim = UserFactory()
    page = _look_up(client, number).content.decode()
    assert impostor.masked_phone in page and impostor.phone[3:] not in page
    assert number not in page

    # "Send a code" texts the account's own phone: the impostor's, not the victim's.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/identify/{fake.pk}/code/")
        queued = OutboundSMS.objects.get()
        assert queued.phone == impostor.phone
        code = _code_in(queued.body)
    assert response.status_code == 302
    assert [m.phone for m in sms_outbox] == [impostor.phone]
    queued.refresh_from_db()
    assert queued.body == ""  # wiped once sent
    sent = AuditEvent.objects.get(action=AuditAction.WINDOW_CODE_SENT)
    assert (sent.actor, sent.subject) == (clerk, impostor)
    page = client.get("/staff/identify/").content.decode()
    assert code not in page
    assert "Code from the text message" in page

    # The victim cannot give the code; whatever he says does not verify the account.
    impostors_code = code
    response = client.post(f"/staff/identify/{fake.pk}/verify/", {"window-code": _wrong(code)})
    assert response.status_code == 200
    assert "wrong" in response.context["code_form"].errors["code"][0]
    fake.refresh_from_db()
    assert fake.realname_level == RealNameLevel.SELF_DECLARED
    assert not AuditEvent.objects.filter(action=AuditAction.REALNAME_VERIFIED).exists()

    # The clerk releases the number from the impostor's account, with a reason.
    response = client.post(
        f"/staff/identify/{fake.pk}/release/",
        {"release-reason": "持证人到场出示身份证，无法提供该账号的验证码"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("released" in m for m in _messages(response))
    fake.refresh_from_db()
    assert (fake.legal_name, fake.id_number_encrypted, fake.id_number_masked) == ("", "", "")
    assert fake.id_number_index is None
    assert fake.realname_level == RealNameLevel.NONE
    released = AuditEvent.objects.get(action=AuditAction.ID_NUMBER_RELEASED)
    assert (released.actor, released.subject) == (clerk, impostor)
    assert released.reason == "持证人到场出示身份证，无法提供该账号的验证码"
    assert number not in str(released.detail)
    # The impostor's old code is dead, and his account was told.
    assert not WindowCode.objects.filter(profile=fake, expires_at__gt=timezone.now()).exists()
    assert OutboundSMS.objects.filter(phone=impostor.phone).count() == 2

    # The victim declares the number on his own account, then reads his code to the clerk.
    victim_client = Client()
    _signed_in(victim_client, victim)
    response = victim_client.post("/profile/realname/", {"legal_name": "赵六", "id_number": number})
    assert response.status_code == 302
    mine = PersonProfile.objects.get(user=victim)
    page = _look_up(client, number).content.decode()
    assert victim.masked_phone in page and "赵六" in page
    code = _send_code(client, mine, django_capture_on_commit_callbacks)
    assert sms_outbox[-1].phone == victim.phone
    response = client.post(f"/staff/identify/{mine.pk}/verify/", {"window-code": code})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.realname_level == RealNameLevel.WINDOW
    assert mine.realname_verified_by == clerk
    verified = AuditEvent.objects.get(action=AuditAction.REALNAME_VERIFIED)
    assert verified.subject == victim and verified.detail["window_code_id"]

    # Nothing logged or stored a code or a phone number in clear.
    for sent_code in (impostors_code, code):
        assert sent_code not in caplog.text
        for event in AuditEvent.objects.all():
            assert sent_code not in str(event.detail) and sent_code not in event.reason
        assert all(sent_code not in row.code_hash for row in WindowCode.objects.all())
    assert victim.phone[3:] not in caplog.text and impostor.phone[3:] not in caplog.text


def test_a_code_is_valid_for_ten_minutes(clerk_client, django_capture_on_commit_callbacks):
    client, _clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)
    row = WindowCode.objects.get()
    assert row.expires_at - row.created_at == timedelta(minutes=10)

    later = timezone.now() + timedelta(minutes=10, seconds=1)
    with mock.patch.object(timezone, "now", return_value=later):
        response = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": code})
    assert response.status_code == 200
    assert "send a new code" in response.context["code_form"].errors["code"][0]
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED


def test_five_wrong_codes_use_the_code_up(clerk_client, django_capture_on_commit_callbacks):
    client, _clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)
    url = f"/staff/identify/{person.pk}/verify/"
    errors = [
        client.post(url, {"window-code": _wrong(code)}).context["code_form"].errors["code"][0]
        for _ in range(5)
    ]
    assert "4 attempts left" in errors[0] and "1 attempt left" in errors[3]
    assert "send a new code" in errors[4]
    assert WindowCode.objects.get().attempts == 5

    # Even the right code is refused now; the form is gone until a new code is sent.
    response = client.post(url, {"window-code": code})
    assert "send a new code" in response.context["code_form"].errors["code"][0]
    assert response.context["live_code"] is None
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED

    new_code = _send_code(client, person, django_capture_on_commit_callbacks)
    assert client.post(url, {"window-code": new_code}).status_code == 302
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.WINDOW


def test_a_new_code_ends_the_earlier_one(clerk_client, django_capture_on_commit_callbacks):
    client, _clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    first = _send_code(client, person, django_capture_on_commit_callbacks)
    second = _send_code(client, person, django_capture_on_commit_callbacks)
    if first != second:
        response = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": first})
        assert response.status_code == 200
    response = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": second})
    assert response.status_code == 302


def test_only_the_clerk_who_sent_the_code_enters_it(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)

    other = Client()
    _signed_in(other, make_staff(StaffRole.CLERK))
    _look_up(other, person.reveal_id_number())
    response = other.post(f"/staff/identify/{person.pk}/verify/", {"window-code": code})
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED


def test_a_code_does_not_verify_a_declaration_changed_after_it_was_sent(
    clerk_client, django_capture_on_commit_callbacks
):
    """Someone shows his own ID card, then declares another person's number online before
    reading back the code: the code was sent for the number the clerk checked, not that one."""
    client, clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)

    realname.declare(person.user, legal_name="张小明", id_number=make_id_number())
    response = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": code})
    assert response.status_code == 302  # the page no longer holds the number looked up
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED
    # Nor through the domain function, whatever page the clerk has open.
    with pytest.raises(ValidationError):
        realname.verify_with_code(person, code=code, by=clerk)
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.SELF_DECLARED


def test_a_code_is_bound_to_the_name_and_number_it_was_sent_for(clerk_client):
    """However the declaration changes (not only through declare()), the code is void."""
    _client, clerk = clerk_client
    person = PersonFactory()
    with mock.patch("portal.realname.secrets.randbelow", return_value=424242):
        realname.send_window_code(person, by=clerk)
    PersonProfile.objects.filter(pk=person.pk).update(legal_name="李四")
    with pytest.raises(ValidationError):
        realname.verify_with_code(person, code="424242", by=clerk)
    PersonProfile.objects.filter(pk=person.pk).update(legal_name="张小明")
    assert realname.verify_with_code(person, code="424242", by=clerk).is_verified


def test_a_verified_identity_cannot_be_released(clerk_client):
    client, _clerk = clerk_client
    person = PersonFactory(verified=True)
    page = _look_up(client, person.reveal_id_number()).content.decode()
    assert "Release the ID number" not in page
    response = client.post(
        f"/staff/identify/{person.pk}/release/", {"release-reason": "试图释放"}, follow=True
    )
    assert any("cannot be released" in m for m in _messages(response))
    person.refresh_from_db()
    assert person.id_number_index and person.realname_level == RealNameLevel.WINDOW
    assert not AuditEvent.objects.filter(action=AuditAction.ID_NUMBER_RELEASED).exists()


def test_releasing_needs_a_reason(clerk_client):
    client, _clerk = clerk_client
    person = PersonFactory()
    _look_up(client, person.reveal_id_number())
    response = client.post(f"/staff/identify/{person.pk}/release/", {"release-reason": "  "})
    assert response.status_code == 200
    assert response.context["release_form"].errors["reason"]
    person.refresh_from_db()
    assert person.id_number_index is not None


def test_a_clerk_acts_only_on_the_account_he_looked_up(
    clerk_client, django_capture_on_commit_callbacks, sms_outbox
):
    client, _clerk = clerk_client
    looked_up, other = PersonFactory(), PersonFactory()
    _look_up(client, looked_up.reveal_id_number())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/identify/{other.pk}/code/")
        client.post(f"/staff/identify/{other.pk}/release/", {"release-reason": "x"})
    assert not sms_outbox and not WindowCode.objects.exists()
    other.refresh_from_db()
    assert other.id_number_index is not None

    client.post("/staff/identify/done/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/identify/{looked_up.pk}/code/")
    assert not sms_outbox
    assert "Account holding this ID number" not in client.get("/staff/identify/").content.decode()


def test_an_account_without_a_verified_phone_cannot_be_verified(
    clerk_client, django_capture_on_commit_callbacks, sms_outbox
):
    client, _clerk = clerk_client
    person = PersonFactory(user__phone_verified=False)
    page = _look_up(client, person.reveal_id_number()).content.decode()
    assert "no verified mobile number" in page and "Send a code" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/staff/identify/{person.pk}/code/", follow=True)
    assert any("no verified mobile number" in m for m in _messages(response))
    assert not sms_outbox


def test_codes_sent_to_one_account_are_limited_per_hour(clerk_client):
    _client, clerk = clerk_client
    person = PersonFactory()
    for _ in range(realname.MAX_CODES_PER_HOUR):
        realname.send_window_code(person, by=clerk)
    with pytest.raises(ValidationError) as refused:
        realname.send_window_code(person, by=clerk)
    assert refused.value.code == "too_many_codes"


@pytest.mark.parametrize("role", [StaffRole.REVIEWER, StaffRole.DEPARTMENT_ADMIN, None])
def test_only_clerks_send_codes_verify_or_release(client, settings, role):
    settings.STAFF_MFA_REQUIRED = False
    _signed_in(client, make_staff(role) if role else UserFactory())
    person = PersonFactory()
    for action in ("code", "verify", "release"):
        response = client.post(
            f"/staff/identify/{person.pk}/{action}/",
            {"window-code": "123456", "release-reason": "x"},
        )
        assert response.status_code == 403
    assert client.post("/staff/identify/done/").status_code == 403
    person.refresh_from_db()
    assert person.id_number_index and person.realname_level == RealNameLevel.SELF_DECLARED
    assert not WindowCode.objects.exists()


def test_the_clerks_actions_are_post_only(clerk_client):
    client, _clerk = clerk_client
    person = PersonFactory()
    for action in ("code", "verify", "release"):
        assert client.get(f"/staff/identify/{person.pk}/{action}/").status_code == 405


class _Controls(HTMLParser):
    """Forms, their fields and the labels pointing at them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.csrf = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(a)
        elif tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        elif tag in ("input", "textarea", "select"):
            if a.get("name") == "csrfmiddlewaretoken":
                self.csrf += 1
            elif a.get("type") not in ("hidden", "submit"):
                self.fields.append(a.get("id") or "")


def test_the_clerks_page_is_plain_labelled_forms_with_masked_data(
    clerk_client, django_capture_on_commit_callbacks
):
    """Every step works without JavaScript: POST forms with CSRF tokens and labelled fields;
    the page shows masked numbers only, whatever state it is in."""
    client, _clerk = clerk_client
    person = PersonFactory()
    organisations.register(person.user, uscc=make_uscc(), name="示例")
    _look_up(client, person.reveal_id_number())
    _send_code(client, person, django_capture_on_commit_callbacks)
    page = client.get("/staff/identify/").content.decode()
    assert "<script" not in page
    controls = _Controls()
    controls.feed(page)
    assert all((f.get("method") or "").lower() == "post" for f in controls.forms)
    assert controls.csrf == len(controls.forms) >= 5  # look-up, verify, resend, release, done
    assert controls.fields and all(f and f in controls.labels for f in controls.fields)
    assert person.reveal_id_number() not in page and person.user.phone[3:] not in page
    assert person.id_number_masked in page and person.user.masked_phone in page


def _self_declared(number=None):
    return PersonFactory(
        realname_level=RealNameLevel.SELF_DECLARED, **({"id_number": number} if number else {})
    )


def test_a_number_is_released_only_after_the_account_was_sent_a_code(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    fake = _self_declared()
    _look_up(client, fake.reveal_id_number())
    reason = {"release-reason": "持证人到场，无法提供验证码"}
    response = client.post(f"/staff/identify/{fake.pk}/release/", reason, follow=True)
    assert any("Send a code to this account first" in m for m in _messages(response))
    fake.refresh_from_db()
    assert fake.id_number_index is not None
    _send_code(client, fake, django_capture_on_commit_callbacks)
    client.post(f"/staff/identify/{fake.pk}/release/", reason)
    fake.refresh_from_db()
    assert fake.id_number_index is None


def test_the_account_a_number_was_released_from_cannot_take_it_back(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    fake = _self_declared()
    number = fake.reveal_id_number()
    _look_up(client, number)
    _send_code(client, fake, django_capture_on_commit_callbacks)
    client.post(f"/staff/identify/{fake.pk}/release/", {"release-reason": "持证人到场"})
    with pytest.raises(ValidationError, match="released this ID number from your account"):
        realname.declare(fake.user, legal_name="王五", id_number=number)
    owner = UserFactory()
    assert realname.declare(owner, legal_name="张三", id_number=number).id_number_index


def test_a_reason_holding_an_id_or_phone_number_is_refused(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    fake = _self_declared()
    number = fake.reveal_id_number()
    response = client.post("/staff/identify/", {"id_number": number, "reason": f"核验 {number}"})
    assert "Do not type ID or phone numbers here" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED).exists()
    _look_up(client, number)
    _send_code(client, fake, django_capture_on_commit_callbacks)
    full_width_phone = "１３８００１３８０００"
    response = client.post(
        f"/staff/identify/{fake.pk}/release/", {"release-reason": f"致电 {full_width_phone}"}
    )
    assert "Do not type ID or phone numbers here" in response.content.decode()
    fake.refresh_from_db()
    assert fake.id_number_index is not None


def test_a_code_typed_in_full_width_digits_verifies(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    person = _self_declared()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert (
        client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": full_width}).status_code
        == 302
    )
    person.refresh_from_db()
    assert person.realname_level == RealNameLevel.WINDOW


def test_the_clerk_sees_why_a_code_no_longer_works(
    clerk_client, django_capture_on_commit_callbacks
):
    client, _clerk = clerk_client
    person = _self_declared()
    _look_up(client, person.reveal_id_number())
    code = _send_code(client, person, django_capture_on_commit_callbacks)
    for _ in range(WindowCode.MAX_ATTEMPTS):
        page = client.post(f"/staff/identify/{person.pk}/verify/", {"window-code": _wrong(code)})
    html = page.content.decode()
    assert "tried too often: send a new code" in html
    assert 'id="id_window-code_error"' in html  # named by the input's aria-describedby


def test_an_account_gets_at_most_ten_codes_a_day(clerk_client):
    _client, clerk = clerk_client
    person = _self_declared()
    day_ago = timezone.now() - timedelta(hours=20)
    for _ in range(realname.MAX_CODES_PER_DAY):
        WindowCode.objects.create(
            profile=person,
            sent_by=clerk,
            code_hash="x",
            declared_hash="x",
            created_at=day_ago,
            expires_at=day_ago,
        )
    with pytest.raises(ValidationError, match="Too many codes"):
        realname.send_window_code(person, by=clerk)


def test_a_release_is_for_the_number_looked_up_only(clerk_client):
    _client, clerk = clerk_client
    fake = _self_declared()
    with pytest.raises(ValidationError):
        realname.release_id_number(fake, by=clerk, reason="持证人到场", expected_index="other")
    fake.refresh_from_db()
    assert fake.id_number_index is not None

"""Password guessing is slowed per account and address and account-wide, yet a stranger cannot
lock the holder out: the holder gets in from another address, by an SMS code, or from his own
browser (device cookie)."""

import re
import time

import pytest
from django.test import Client

from portal.models import StaffRole
from tests.factories import PASSWORD, UserFactory, activate_totp, make_staff, totp_code

pytestmark = pytest.mark.django_db

PHONE = "13900000050"
STRANGER = "203.0.113.66"
WRONG = "wrong-password"


@pytest.fixture
def clock(monkeypatch):
    """Moves time forward without sleeping; the cache's expiry follows the same clock."""
    real = time.time
    offset = [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])

    class Clock:
        def advance(self, seconds: float) -> None:
            offset[0] += seconds

    return Clock()


def _sign_in(client, login, password, address):
    return client.post(
        "/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=address
    )


def _signed_in(client) -> bool:
    return client.get("/profile/").status_code == 200


def _message(response) -> str:
    if response.status_code != 200:
        return ""
    return " ".join(response.context["form"].non_field_errors())


_UNIT = {"second": 1, "minute": 60, "hour": 3600}


def _wait(response) -> int | None:
    """The wait the page asks for, in seconds, or None if it asks for none."""
    found = re.search(r"try again in (\d+) (second|minute|hour)s?", _message(response), re.I)
    return int(found.group(1)) * _UNIT[found.group(2)] if found else None


def _guess_from_many_addresses(login, addresses=20, each=3):
    for n in range(addresses):
        guesser = Client()
        for _ in range(each):
            response = _sign_in(guesser, login, WRONG, f"198.51.100.{n + 1}")
            assert not _signed_in(guesser)
    return response


def _code(outbox) -> str:
    return re.search(r"(?<!\d)(\d{6})(?!\d)", outbox[-1].message).group(1)


# (a) a stranger alone cannot keep the holder out


def test_a_strangers_fifty_wrong_passwords_do_not_keep_the_holder_out(client, english):
    UserFactory(phone="+86" + PHONE)
    stranger = Client()
    answers = {_sign_in(stranger, PHONE, WRONG, STRANGER).status_code for _ in range(50)}
    assert not _signed_in(stranger)
    assert answers <= {200, 429}  # refused with a page saying so, never a server error

    response = _sign_in(client, PHONE, PASSWORD, "192.0.2.10")
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_patient_stranger_who_waits_out_every_wait_still_cannot_keep_the_holder_out(
    client, clock, english
):
    # Failures from an address already made to wait do not raise the account-wide count.
    UserFactory(phone="+86" + PHONE)
    stranger = Client()
    for _ in range(50):
        wait = _wait(_sign_in(stranger, PHONE, WRONG, STRANGER))
        if wait:
            clock.advance(wait + 1)
    assert not _signed_in(stranger)

    _sign_in(client, PHONE, PASSWORD, "192.0.2.10")
    assert _signed_in(client)


# (b) the stranger's own address waits longer and longer


def test_the_strangers_address_is_refused_with_a_wait_that_doubles_up_to_a_cap(
    client, clock, settings, english
):
    UserFactory(phone="+86" + PHONE)
    waits = []
    for _ in range(50):
        response = _sign_in(client, PHONE, WRONG, STRANGER)
        wait = _wait(response)
        if wait:
            waits.append(wait)
            clock.advance(wait + 1)
    first = settings.LOGIN_FAILED_FIRST_WAIT_SECONDS
    assert waits[:4] == [first, 2 * first, 4 * first, 8 * first]
    assert waits == sorted(waits)
    assert waits[-1] == settings.LOGIN_FAILED_MAX_WAIT_SECONDS
    assert "sign in with a code sent to your phone" in _message(response)

    # One more wrong password starts the longest wait; while it runs, even the right password
    # from there is refused, and the wait is said.
    assert _wait(_sign_in(client, PHONE, WRONG, STRANGER)) == settings.LOGIN_FAILED_MAX_WAIT_SECONDS
    clock.advance(60)
    response = _sign_in(client, PHONE, PASSWORD, STRANGER)
    assert not _signed_in(client)
    assert "from this network" in _message(response)
    assert _wait(response) == settings.LOGIN_FAILED_MAX_WAIT_SECONDS - 60


def test_the_first_failures_are_free_and_the_wait_is_said_when_it_starts(client, settings, english):
    UserFactory(phone="+86" + PHONE)
    for _ in range(settings.LOGIN_FAILED_LIMIT - 1):
        assert _wait(_sign_in(client, PHONE, WRONG, STRANGER)) is None
    response = _sign_in(client, PHONE, WRONG, STRANGER)
    assert _wait(response) == settings.LOGIN_FAILED_FIRST_WAIT_SECONDS
    assert "1 minute" in _message(response)


def test_a_wait_does_not_grow_while_the_address_only_knocks(client, clock, settings, english):
    UserFactory(phone="+86" + PHONE)
    for _ in range(settings.LOGIN_FAILED_LIMIT):
        _sign_in(client, PHONE, WRONG, STRANGER)
    for _ in range(10):
        clock.advance(5)
        _sign_in(client, PHONE, WRONG, STRANGER)  # refused unchecked while waiting
    clock.advance(settings.LOGIN_FAILED_FIRST_WAIT_SECONDS)
    # The wait is over: the holder's right password from that address now works.
    _sign_in(client, PHONE, PASSWORD, STRANGER)
    assert _signed_in(client)


# (c) a distributed guesser is slowed, the holder still gets in


def test_past_the_account_ceiling_a_password_from_a_new_browser_is_refused_unchecked(
    client, english
):
    UserFactory(phone="+86" + PHONE)
    _guess_from_many_addresses(PHONE)

    right = _sign_in(client, PHONE, PASSWORD, "192.0.2.20")
    assert not _signed_in(client)
    wrong = _sign_in(Client(), PHONE, WRONG, "192.0.2.21")
    # The same answer for the right and a wrong password: guessing tells nothing any more.
    assert _message(right) == _message(wrong)
    assert "sign in with a code sent to your phone" in _message(right)


def test_past_the_account_ceiling_the_holder_signs_in_with_an_sms_code(
    client, sms_outbox, django_capture_on_commit_callbacks, english
):
    UserFactory(phone="+86" + PHONE)
    _guess_from_many_addresses(PHONE)
    _sign_in(client, PHONE, PASSWORD, "192.0.2.20")
    assert not _signed_in(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"phone": PHONE}, REMOTE_ADDR="192.0.2.20")
    assert sms_outbox and sms_outbox[-1].phone == "+86" + PHONE
    client.post(response["Location"], {"code": _code(sms_outbox)}, REMOTE_ADDR="192.0.2.20")
    assert _signed_in(client)


def test_past_the_account_ceiling_the_holders_own_browser_signs_in_with_the_password(
    client, english
):
    UserFactory(phone="+86" + PHONE)
    _sign_in(client, PHONE, PASSWORD, "192.0.2.30")
    assert _signed_in(client)
    client.post("/accounts/logout/")
    assert not _signed_in(client)

    _guess_from_many_addresses(PHONE)
    # Travelling: a network he never used, but the browser he signed in with before.
    response = _sign_in(client, PHONE, PASSWORD, "192.0.2.31")
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_device_cookie_vouches_only_for_accounts_signed_in_on_it(client, english):
    UserFactory(phone="+86" + PHONE)
    UserFactory(email="stranger@example.cn")
    stranger = Client()
    _sign_in(stranger, "stranger@example.cn", PASSWORD, STRANGER)
    assert _signed_in(stranger)
    stranger.post("/accounts/logout/")

    _guess_from_many_addresses(PHONE)
    # Even knowing the password, his cookie for his own account does not open the victim's.
    response = _sign_in(stranger, PHONE, PASSWORD, STRANGER)
    assert not _signed_in(stranger)
    assert "sign in with a code sent to your phone" in _message(response)


def test_a_forged_device_cookie_is_ignored(client, settings, english):
    UserFactory(phone="+86" + PHONE)
    _sign_in(client, PHONE, PASSWORD, "192.0.2.30")
    client.post("/accounts/logout/")
    name = settings.LOGIN_DEVICE_COOKIE_NAME
    genuine = client.cookies[name].value
    _guess_from_many_addresses(PHONE)

    forger = Client()
    forger.cookies[name] = genuine[:-3] + ("AAA" if not genuine.endswith("AAA") else "BBB")
    _sign_in(forger, PHONE, PASSWORD, "192.0.2.32")
    assert not _signed_in(forger)


def test_the_holders_browser_has_its_own_count_and_does_not_raise_the_account_count(
    client, settings, english
):
    UserFactory(phone="+86" + PHONE)
    _sign_in(client, PHONE, PASSWORD, "192.0.2.30")
    client.post("/accounts/logout/")
    # Someone at the holder's browser mistypes a lot: only that browser waits ...
    for _ in range(20):
        response = _sign_in(client, PHONE, WRONG, "192.0.2.30")
    assert "from this device" in _message(response)
    # ... and a new browser elsewhere still gets in with the password.
    other = Client()
    _sign_in(other, PHONE, PASSWORD, "192.0.2.40")
    assert _signed_in(other)


def test_a_password_reset_by_the_holder_lifts_the_account_ceiling(client, mailoutbox, english):
    user = UserFactory(email="holder@example.cn")
    _guess_from_many_addresses("holder@example.cn")
    response = client.post(
        "/accounts/password/reset/", {"email": "holder@example.cn"}, REMOTE_ADDR="192.0.2.50"
    )
    code = re.search(r"(?<![0-9A-Z])([0-9A-Z]{6})(?![0-9A-Z])", mailoutbox[-1].body).group(1)
    response = client.post(response["Location"], {"code": code})
    client.post(
        response["Location"], {"password1": "New-Secret-2026", "password2": "New-Secret-2026"}
    )
    user.refresh_from_db()
    assert user.check_password("New-Secret-2026")

    fresh = Client()
    _sign_in(fresh, "holder@example.cn", "New-Secret-2026", "192.0.2.51")
    assert _signed_in(fresh)


# Staff with MFA follow the same rules


def test_a_stranger_cannot_keep_a_clerk_out(client, english):
    clerk = make_staff(StaffRole.CLERK)
    secret = activate_totp(clerk)
    stranger = Client()
    for _ in range(50):
        _sign_in(stranger, clerk.email, WRONG, STRANGER)

    response = _sign_in(client, clerk.email, PASSWORD, "192.0.2.60")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(secret)}, REMOTE_ADDR="192.0.2.60"
    )
    assert client.get("/staff/").status_code == 200


def test_past_the_account_ceiling_a_clerk_gets_in_from_his_own_browser(client, english):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    clerk = make_staff(StaffRole.CLERK)
    secret = activate_totp(clerk)
    recovery = RecoveryCodes.activate(clerk).get_unused_codes()
    _sign_in(client, clerk.email, PASSWORD, "192.0.2.60")
    client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code(secret)}, REMOTE_ADDR="192.0.2.60"
    )
    assert client.get("/staff/").status_code == 200
    client.post("/accounts/logout/")

    _guess_from_many_addresses(clerk.email)
    stranger_browser = Client()
    response = _sign_in(stranger_browser, clerk.email, PASSWORD, "192.0.2.61")
    assert response.status_code == 200  # no step to the second factor: the password is refused
    assert "sign in with a code sent to your phone" in _message(response)

    response = _sign_in(client, clerk.email, PASSWORD, "192.0.2.61")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    client.post("/accounts/2fa/authenticate/", {"code": recovery[0]}, REMOTE_ADDR="192.0.2.61")
    assert client.get("/staff/").status_code == 200

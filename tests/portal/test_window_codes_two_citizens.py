"""Window codes belong to one account: a clerk serving two citizens at once uses each one's
own code, one account's codes never end or limit another's, and the limits are exact."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import realname
from portal.models import PersonProfile, RealNameLevel, StaffRole, WindowCode
from tests.factories import PersonFactory, make_id_number, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return make_staff(StaffRole.CLERK)


@pytest.fixture
def send(clerk, sms_outbox, django_capture_on_commit_callbacks):
    """Send a window code to the profile; return the code its phone received."""

    def send(profile: PersonProfile, by=None) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            realname.send_window_code(profile, by=by or clerk)
        message = sms_outbox[-1]
        assert message.phone == profile.user.phone
        return re.search(r"(?<!\d)(\d{6})(?!\d)", message.message).group(1)

    return send


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _level(profile: PersonProfile) -> str:
    profile.refresh_from_db()
    return profile.realname_level


def _codes_sent_before(profile: PersonProfile, by, count: int, ago: timedelta) -> None:
    sent = timezone.now() - ago
    WindowCode.objects.bulk_create(
        WindowCode(
            profile=profile,
            sent_by=by,
            code_hash="x",
            declared_hash="x",
            created_at=sent,
            expires_at=sent + realname.CODE_VALID_FOR,
        )
        for _ in range(count)
    )


def test_a_clerk_serving_two_citizens_verifies_each_with_his_own_code(clerk, send):
    first, second = PersonFactory(), PersonFactory()
    first_code = send(first)
    second_code = send(second)  # sent later: must not end or shadow the first one's

    assert realname.live_code(first, by=clerk).profile == first
    assert realname.live_code(second, by=clerk).profile == second
    realname.verify_with_code(first, code=first_code, by=clerk)
    realname.verify_with_code(second, code=second_code, by=clerk)
    assert (_level(first), _level(second)) == (RealNameLevel.WINDOW, RealNameLevel.WINDOW)


def test_a_wrong_guess_counts_against_that_citizens_code_only(clerk, send):
    first, second = PersonFactory(), PersonFactory()
    first_code = send(first)
    send(second)
    with pytest.raises(ValidationError):
        realname.verify_with_code(first, code=_wrong(first_code), by=clerk)
    attempts = dict(WindowCode.objects.values_list("profile", "attempts"))
    assert attempts == {first.pk: 1, second.pk: 0}


def test_one_citizens_code_does_not_verify_another(clerk, send):
    first, second = PersonFactory(), PersonFactory()
    first_code = send(first)
    send(second)
    with pytest.raises(ValidationError):
        realname.verify_with_code(second, code=first_code, by=clerk)
    assert _level(second) == RealNameLevel.SELF_DECLARED


def test_a_clerk_has_no_live_code_for_a_citizen_he_sent_nothing(clerk, send):
    first, second = PersonFactory(), PersonFactory()
    send(second)
    assert realname.live_code(first, by=clerk) is None
    with pytest.raises(ValidationError) as refused:
        realname.verify_with_code(first, code="000000", by=clerk)
    assert refused.value.code == "no_window_code"


def test_declaring_again_ends_that_accounts_codes_only(clerk, send):
    first, second = PersonFactory(), PersonFactory()
    first_code = send(first)
    second_code = send(second)
    realname.declare(first.user, legal_name="张小明", id_number=make_id_number())
    assert realname.live_code(first, by=clerk) is None
    with pytest.raises(ValidationError):
        realname.verify_with_code(first, code=first_code, by=clerk)
    realname.verify_with_code(second, code=second_code, by=clerk)
    assert _level(second) == RealNameLevel.WINDOW


def test_releasing_one_number_ends_that_accounts_codes_only(clerk, send):
    impostor, citizen = PersonFactory(), PersonFactory()
    send(impostor)  # not given back: the impostor's phone is not at the window
    citizen_code = send(citizen)
    realname.release_id_number(
        impostor, by=clerk, reason="持证人到场", expected_index=impostor.id_number_index
    )
    assert realname.live_code(impostor, by=clerk) is None
    realname.verify_with_code(citizen, code=citizen_code, by=clerk)
    assert _level(citizen) == RealNameLevel.WINDOW


def test_a_code_sent_to_another_account_does_not_allow_a_release(clerk, send):
    declared, other = PersonFactory(), PersonFactory()
    send(other)
    with pytest.raises(ValidationError) as refused:
        realname.release_id_number(
            declared, by=clerk, reason="持证人到场", expected_index=declared.id_number_index
        )
    assert refused.value.code == "no_code_tried"
    declared.refresh_from_db()
    assert declared.id_number_index is not None


def test_codes_sent_to_one_account_do_not_count_against_anothers_limit(clerk, send):
    busy, other = PersonFactory(), PersonFactory()
    for _ in range(5):
        send(busy)
    with pytest.raises(ValidationError):
        send(busy)
    send(other)
    assert WindowCode.objects.filter(profile=other).count() == 1


def test_the_fifth_code_in_an_hour_is_sent_and_the_sixth_refused(clerk, send):
    person = PersonFactory()
    for _ in range(5):
        send(person)
    with pytest.raises(ValidationError) as refused:
        send(person)
    assert refused.value.code == "too_many_codes"
    assert WindowCode.objects.filter(profile=person).count() == 5


def test_codes_older_than_an_hour_do_not_count_against_the_hourly_limit(clerk, send):
    person = PersonFactory()
    _codes_sent_before(person, clerk, 5, timedelta(minutes=70))
    send(person)
    assert WindowCode.objects.filter(profile=person).count() == 6


def test_the_tenth_code_in_a_day_is_sent_and_the_eleventh_refused(clerk, send):
    person = PersonFactory()
    for hours in range(2, 11):  # nine codes, each in an hour of its own
        _codes_sent_before(person, clerk, 1, timedelta(hours=hours))
    send(person)  # the tenth
    with pytest.raises(ValidationError) as refused:
        send(person)
    assert refused.value.code == "too_many_codes"
    assert WindowCode.objects.filter(profile=person).count() == 10


def test_codes_older_than_a_day_do_not_count_against_the_daily_limit(clerk, send):
    person = PersonFactory()
    _codes_sent_before(person, clerk, 10, timedelta(hours=25))
    send(person)
    assert WindowCode.objects.filter(profile=person).count() == 11

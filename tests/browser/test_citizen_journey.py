"""A citizen signs up with a mobile number, declares a real name and signs in again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal import sms
from portal.models import PersonProfile, User
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_id_number
from tests.polling import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13712345678"
CODE = re.compile(r"\b([A-Z0-9]{6})\b")


def _verification_code() -> str:
    message = wait_for(
        lambda: next((m for m in reversed(sms.outbox) if m.phone == "+86" + PHONE), None),
        what="the verification SMS",
    )
    match = CODE.search(message.message)
    assert match, f"no 6-character code in {message.message!r}"
    return match.group(1)


def test_sign_up_verify_phone_declare_real_name_and_sign_in_again(page, screenshot):
    id_number = make_id_number()
    masked = id_number[:4] + "*" * 10 + id_number[-4:]

    # Sign up: mobile number and password; the e-mail address is optional and left out.
    page.goto("/accounts/signup/")
    page.get_by_label(re.compile(r"^Mobile number:?$")).fill(PHONE)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\):?$")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up", exact=True).click()

    # The phone verification page: the code went out by SMS.
    expect(page.get_by_role("heading", name="Enter Phone Verification Code")).to_be_visible()
    screenshot(page, "verify-phone")
    page.get_by_label(re.compile(r"^Code:?$")).fill(_verification_code())
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    user = User.objects.get(phone="+86" + PHONE)
    assert user.phone_verified

    # Real-name declaration.
    page.goto("/profile/realname/")
    expect(page.get_by_role("heading", name="Real-name verification")).to_be_visible()
    page.get_by_label("Legal name").fill("张小明")
    page.get_by_label("Resident ID number").fill(id_number)
    page.get_by_role("button", name="Save", exact=True).click()

    # The profile shows the number masked, never in clear.
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()
    expect(page.get_by_text(masked, exact=True)).to_be_visible()
    expect(page.get_by_text("张小明", exact=True)).to_be_visible()
    assert id_number not in page.content()
    assert PersonProfile.objects.get(user=user).id_number_masked == masked

    # Sign out, then in again with the mobile number and password.
    page.get_by_role("button", name="Sign out").click()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    page.goto("/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/profile/$"))
    sign_in(page, PHONE, PASSWORD)

    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()
    expect(page.get_by_text(masked, exact=True)).to_be_visible()
    expect(page.get_by_text("137****5678")).to_be_visible()
    screenshot(page, "profile")

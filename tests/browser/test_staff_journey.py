"""Staff sign in with a second factor before they reach the workbench."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import StaffRole
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, activate_totp, make_staff, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_with_authenticator_app_reaches_the_workbench(page, screenshot):
    clerk = make_staff(StaffRole.CLERK)
    secret = activate_totp(clerk)

    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/staff/$"))
    sign_in(page, clerk.email, PASSWORD)

    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    screenshot(page, "mfa-prompt")
    page.get_by_label(re.compile(r"^Code:?$")).fill(totp_code(secret))
    page.get_by_role("button", name="Sign In", exact=True).click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", name="Staff workbench")).to_be_visible()
    expect(page.get_by_role("link", name="Identify a citizen")).to_be_visible()
    screenshot(page, "workbench")


def test_clerk_without_authenticator_app_is_sent_to_set_one_up(page, screenshot):
    clerk = make_staff(StaffRole.CLERK)

    page.goto("/accounts/login/")
    sign_in(page, clerk.email, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.goto("/staff/")
    # allauth asks for the password again before any authenticator is added.
    expect(page).to_have_url(
        re.compile(
            r"/accounts/reauthenticate/\?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
            r"%3Fnext%3D%252Fstaff%252F$"
        )
    )
    expect(page.get_by_text("Staff accounts must use two-factor authentication")).to_be_visible()
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Confirm", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/\?next=%2Fstaff%2F$"))
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.get_by_role("heading", name="Staff workbench")).to_have_count(0)
    screenshot(page, "activate-totp")

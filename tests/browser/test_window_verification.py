"""At the window: the clerk checks the ID card, the citizen reads back the code texted to his
phone, and the certificates issued to his number appear in his wallet."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal import sms
from portal.models import RealNameLevel, StaffRole
from tests.browser.conftest import sign_in
from tests.browser.test_wallet import _certificate_for
from tests.factories import PASSWORD, PersonFactory, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clerk_verifies_a_citizen_with_the_code_on_his_phone(new_page, screenshot, settings):
    settings.STAFF_MFA_REQUIRED = False  # the second factor has its own journey
    citizen = PersonFactory(legal_name="张三", realname_level=RealNameLevel.SELF_DECLARED)
    _certificate_for(citizen)

    wallet = new_page()
    wallet.goto("/wallet/")
    sign_in(wallet, citizen.user.email, PASSWORD)
    expect(wallet.get_by_role("note")).to_contain_text("once your real name is verified")
    expect(wallet.get_by_role("link", name="居民身份证")).to_have_count(0)

    clerk = new_page()
    clerk.goto("/staff/identify/")
    sign_in(clerk, make_staff(StaffRole.CLERK).email, PASSWORD)
    clerk.get_by_label("Resident ID number").fill(citizen.reveal_id_number())
    clerk.get_by_role("button", name="Look up").click()
    expect(clerk.get_by_text("Self-declared")).to_be_visible()
    expect(clerk.locator("main")).not_to_contain_text(citizen.reveal_id_number())
    clerk.get_by_role("button", name="Send a code").click()
    code = re.search(r"(?<!\d)\d{6}(?!\d)", sms.outbox[-1].message).group(0)
    assert sms.outbox[-1].phone == citizen.user.phone
    clerk.get_by_label("Code from the text message").fill(code)
    screenshot(clerk, "code")
    clerk.get_by_role("button", name="Verify identity").click()
    expect(clerk.get_by_text("Identity verified at the window.")).to_be_visible()

    wallet.reload()
    wallet.get_by_role("link", name="居民身份证").click()
    expect(wallet.get_by_role("heading", name="居民身份证")).to_be_visible()
    screenshot(wallet, "wallet")

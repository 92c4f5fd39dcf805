"""A citizen opens his wallet and shares a certificate; an anonymous browser scans the link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from certificates import issuing
from certificates.models import Certificate, CertificateType, HolderKind, ValidityRule
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, DepartmentFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _certificate_for(person) -> Certificate:
    issuer, definer = DepartmentFactory(name="广州市公安局"), DepartmentFactory(name="公安部")
    ctype = CertificateType.objects.create(
        code=f"{definer.code}011",
        name="居民身份证",
        defining_department=definer,
        holder_kind=HolderKind.PERSON,
        fields=[{"name": "address", "label": "住址", "type": "text"}],
        validity_rule=ValidityRule.FIXED_YEARS,
        validity_years=20,
    )
    ctype.issuing_departments.add(issuer)
    return issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=person.legal_name,
        holder_code=person.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号"},
        by=None,
    )


def test_share_a_certificate_and_verify_it_until_it_is_revoked(new_page, screenshot):
    person = PersonFactory(legal_name="张三", verified=True)
    certificate = _certificate_for(person)

    citizen = new_page()
    citizen.goto("/wallet/")
    sign_in(citizen, person.user.email, PASSWORD)
    expect(citizen.get_by_role("heading", name="My certificates")).to_be_visible()
    citizen.get_by_role("link", name="居民身份证").click()
    expect(citizen.get_by_role("heading", name="居民身份证")).to_be_visible()
    citizen.get_by_label("Link valid for").select_option(label="1 hour")
    citizen.get_by_role("button", name="Create link").click()
    expect(citizen.get_by_role("img", name="QR code of the verification link")).to_be_visible()
    screenshot(citizen, "share")
    link = citizen.get_by_label("Verification link").input_value()
    assert re.search(r"/verify/[\w.-]+/$", link)

    scanner = new_page()
    scanner.goto(link)
    verdict = scanner.get_by_role("status")
    expect(verdict).to_contain_text("Valid")
    expect(verdict).to_contain_text("genuine and valid")
    expect(scanner.get_by_text("张*", exact=True)).to_be_visible()
    assert person.reveal_id_number() not in scanner.content()
    screenshot(scanner, "valid")

    issuing.revoke(certificate, by=None, reason="吊销")
    scanner.reload()
    expect(scanner.get_by_role("status")).to_contain_text("Revoked")
    expect(scanner.get_by_role("status")).to_contain_text("has been revoked")
    screenshot(scanner, "revoked")

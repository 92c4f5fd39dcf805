"""The wallet shows live certificates grouped by holder, each card naming the holder; ended
certificates and earlier versions are history, one link away."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates import issuing
from certificates.models import HolderKind, ValidityRule
from portal import organisations
from portal.models import StaffRole
from tests.certificates.conftest import make_type
from tests.factories import make_staff, make_uscc


def _organisation(representative, name):
    organisation = organisations.register(representative, uscc=make_uscc(), name=name)
    return organisations.confirm_at_window(organisation, by=make_staff(StaffRole.CLERK))


@pytest.fixture
def licence_type(issuer):
    return make_type(issuer, kind=HolderKind.ORGANISATION, rule=ValidityRule.LONG_TERM, seq=2)


def _licence(issuer, licence_type, organisation):
    return issuing.issue(
        type=licence_type,
        issuer=issuer,
        holder_name=organisation.name,
        holder_code=organisation.uscc,
        surface={},
        by=None,
    )


def _cards(body):
    return re.findall(r'class="certificate-card"', body)


def test_live_certificates_are_grouped_by_holder_and_history_is_a_link_away(
    client, certificate, person, issuer, licence_type
):
    first = _organisation(person.user, "广州甲有限公司")
    second = _organisation(person.user, "广州乙有限公司")
    _licence(issuer, licence_type, first)
    cancelled = _licence(issuer, licence_type, second)
    issuing.cancel(cancelled, by=None, reason="企业注销")
    current = _licence(issuer, licence_type, second)
    renewed = issuing.renew(certificate, by=None, reason="换证")
    client.force_login(person.user)

    body = client.get("/wallet/").content.decode()

    headings = re.findall(r'<h2 id="holder-\d+">(.*?)</h2>', body)
    assert headings == ["Mine (张三)", *sorted(["广州甲有限公司", "广州乙有限公司"])]
    assert len(_cards(body)) == 3  # the renewed ID card, two licences: no cancelled, no old
    assert "Cancelled" not in body and "Superseded" not in body
    assert body.count('class="certificate-holder"') == 3
    assert f"/wallet/{renewed.pk}/" in body and f"/wallet/{current.pk}/" in body
    assert f"/wallet/{certificate.pk}/" not in body and f"/wallet/{cancelled.pk}/" not in body
    assert "History: 2 ended certificates and earlier versions" in body

    history = client.get("/wallet/?history=1").content.decode()
    assert len(_cards(history)) == 2
    assert f"/wallet/{certificate.pk}/" in history and f"/wallet/{cancelled.pk}/" in history

    page = client.get(f"/wallet/{renewed.pk}/").content.decode()
    assert 'href="#history-heading"' in page and f"/wallet/{certificate.pk}/" in page
    old = client.get(f"/wallet/{certificate.pk}/").content.decode()
    assert "This is an earlier version" in old and f"/wallet/{renewed.pk}/" in old


def test_the_grouped_wallet_reads_in_constant_queries(
    client, certificate, person, issuer, licence_type
):
    client.force_login(person.user)
    organisation = _organisation(person.user, "广州甲有限公司")
    _licence(issuer, licence_type, organisation)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/wallet/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(3):
        _licence(issuer, licence_type, _organisation(person.user, f"广州{n}有限公司"))
        issuing.renew(certificate.__class__.objects.filter(status="valid").first(), by=None)
    assert queries() == one

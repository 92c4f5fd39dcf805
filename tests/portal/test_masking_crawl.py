"""Crawl every page each role can reach: no resident ID number or phone appears in clear."""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from portal import organisations, realname
from portal.models import StaffRole
from tests.factories import PASSWORD, PersonFactory, make_id_number, make_staff, make_uscc

pytestmark = pytest.mark.django_db

MAX_PAGES = 250
# Admin list filters and sort orders repeat the same rows; one unfiltered list is enough.
SKIP = re.compile(
    r"^/(i18n|static|api/schema|accounts/logout|admin/logout|admin/jsi18n)|"
    r"/(delete|history)/$|^/admin/.*\?"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)


def crawl(client, seeds):
    seen, queue, pages = set(), list(seeds), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[url] = body
        parser = _Links()
        parser.feed(body)
        for href in parser.links:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(path) and path not in seen:
                queue.append(path)
    return pages


@pytest.fixture
def population():
    """Citizens, an organisation with an agent, and every staff role, each with a real-name."""
    people = [PersonFactory(legal_name=n) for n in ("张三丰", "李小龙", "王菲")]
    org = organisations.register(people[0].user, uscc=make_uscc(), name="广州示例餐饮有限公司")
    organisations.authorise_agent(org, phone=people[1].user.phone, by=people[0].user)
    staff = {}
    for role in StaffRole:
        user = make_staff(role)
        realname.declare(user, legal_name="职员", id_number=make_id_number())
        staff[role] = user
    secrets = [p.reveal_id_number() for p in people]
    secrets += [u.person_profile.reveal_id_number() for u in staff.values()]
    phones = [p.user.phone[3:] for p in people] + [u.phone[3:] for u in staff.values()]
    return people, staff, secrets, phones


def _assert_clean(pages, secrets, phones, who):
    assert pages, f"{who} reached no page"
    for url, body in pages.items():
        for secret in secrets:
            assert secret not in body, f"{who} saw an ID number in clear at {url}"
        for phone in phones:
            assert phone not in body, f"{who} saw a phone number in clear at {url}"


SEEDS = [
    "/",
    "/profile/",
    "/profile/realname/",
    "/accounts/email/",
    "/accounts/sessions/",
    "/accounts/2fa/",
    "/staff/",
    "/staff/identify/",
    "/admin/",
    "/admin/portal/user/",
    "/admin/portal/personprofile/",
    "/admin/portal/auditevent/",
    "/admin/portal/organisation/",
    "/admin/portal/staffassignment/",
]


def test_anonymous_visitors_see_no_personal_data(client, population):
    _people, _staff, secrets, phones = population
    _assert_clean(crawl(client, SEEDS), secrets, phones, "anonymous")


@pytest.mark.parametrize("who", ["citizen", "agent", *[r.value for r in StaffRole]])
def test_no_role_sees_an_id_number_or_phone_in_clear(client, settings, population, who):
    settings.STAFF_MFA_REQUIRED = False  # MFA itself is tested elsewhere; here we crawl
    people, staff, secrets, phones = population
    user = {"citizen": people[0].user, "agent": people[1].user}.get(who) or staff[who]
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    pages = crawl(client, SEEDS)
    if who == StaffRole.SYSTEM_ADMIN:
        assert any(
            u.startswith("/admin/portal/personprofile/") and u.endswith("/change/") for u in pages
        ), "the crawl did not reach a person's admin page"
    _assert_clean(pages, secrets, phones, who)

"""One search for the API, the search page and the home page's box: mixed results with
bundles, suggestions as one types, nothing found (said, suggested, recorded with numbers
masked), and the words administrators teach search."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal.models import AuditAction, AuditEvent, StaffRole
from services.models import SearchMiss, SearchWord, WordKind
from tests.factories import PASSWORD, DepartmentFactory, ServiceCategoryFactory, make_staff
from tests.services.factories import BundleFactory, BundleMemberFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    health = DepartmentFactory(name="广州市卫生健康委员会")
    police = DepartmentFactory(name="广州市公安局")
    birth = ServiceCategoryFactory(code="birth-and-health", name="出生与卫生健康")
    services = {
        name: ServiceFactory(name=name, name_en=name_en, department=department, category=birth)
        for name, name_en, department in [
            ("出生医学证明首次签发", "Birth medical certificate, first issue", health),
            ("预防接种证办理", "Vaccination record", health),
            ("出生登记", "Birth registration (household)", police),
            ("居民身份证申领", "Resident identity card, first issue", police),
            ("居民身份证换领", "Resident identity card renewal", police),
        ]
    }
    bundle = BundleFactory(
        slug="newborn", name="新生儿出生一件事", name_en="Newborn birth", life_event="birth"
    )
    for name in ("出生医学证明首次签发", "预防接种证办理", "出生登记"):
        BundleMemberFactory(bundle=bundle, service=services[name])
    return services


def api(path="", **params):
    return Client().get(f"/api/v1/search/{path}", params)


def test_one_search_answers_bundles_and_services_with_the_life_event_first(catalogue):
    body = api(q="宝宝出生").json()
    first = body["results"][0]
    assert (first["kind"], first["slug"], first["member_count"], first["leading"]) == (
        "bundle",
        "newborn",
        3,
        True,
    )
    services = [r for r in body["results"] if r["kind"] == "service"]
    assert {r["name"] for r in services[:2]} == {"出生登记", "出生医学证明首次签发"}
    assert services[0]["code"] and services[0]["url"].startswith("/services/")
    assert body["count"] == len(body["results"])


def test_a_request_costs_the_same_queries_at_any_page_size(catalogue):
    api(q="出生")  # the vocabulary is read once, then cached
    counts = []
    for size in (3, 5, 20):  # each page holds the bundle and services
        with CaptureQueriesContext(connection) as captured:
            assert api(q="出生", page_size=size).status_code == 200
        counts.append(len(captured))
    # tokens of services and bundles in one, the page's services, the page's bundles
    assert counts == [3, 3, 3]


def test_pages_follow_each_other(catalogue):
    everything = [r["name"] for r in api(q="出生", page_size=50).json()["results"]]
    pages = [api(q="出生", page_size=2, page=n).json()["results"] for n in (1, 2)]
    assert [r["name"] for r in pages[0] + pages[1]] == everything[:4]


def test_a_query_too_long_is_refused_with_a_message(catalogue):
    with translation.override("en"):
        response = api(q="出" * 101)
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"
    assert "100" in response.json()["fields"]["q"][0]


def _driving_licence_renewal():
    # A suggested word is one some published name carries: it must find something.
    ServiceFactory(name="机动车驾驶证期满换证", name_en="Driving licence renewal")


def test_nothing_found_suggests_close_words_and_records_the_query_masked(catalogue):
    _driving_licence_renewal()
    body = api(q="jiazhaoo 13812345678").json()  # 驾照 (jiazhao) with a slip
    assert body["count"] == 0 and body["results"] == []
    assert {"kind": "word", "text": "驾驶证"} in body["suggestions"]
    api(q="jiazhaoo 13812345678")
    miss = SearchMiss.objects.get()
    assert (miss.query, miss.count) == ("jiazhaoo 138****5678", 2)


def test_suggestions_as_one_types(catalogue):
    body = api("suggest/", q="chusheng").json()
    names = [r["name"] for r in body["results"]]
    assert 0 < len(names) <= 8
    assert "出生登记" in names
    assert all(r["url"] for r in body["results"])
    assert api("suggest/", q="").json()["results"] == []


def test_the_schema_documents_search_and_suggestions():
    schema = Client().get("/api/schema/").content.decode()
    assert "/api/v1/search/:" in schema and "/api/v1/search/suggest/:" in schema
    assert "SearchResult" in schema


def test_the_search_page_shows_the_bundle_as_a_card_before_the_services(catalogue):
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get("/search/", {"q": "宝宝出生"}).content.decode()
    registration = catalogue["出生登记"].code
    assert page.index("bundle-card-leading") < page.index(f"/services/{registration}/")
    assert "3 services" in page
    assert "/bundles/newborn/" in page


def test_the_search_page_says_nothing_matched_and_offers_close_words(catalogue):
    client = Client()
    client.cookies["django_language"] = "en"
    _driving_licence_renewal()
    response = client.get("/search/", {"q": "jiazhaoo"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing matches" in page and "Did you mean" in page
    assert "?q=%E9%A9%BE%E9%A9%B6%E8%AF%81" in page  # 驾驶证
    assert SearchMiss.objects.filter(query="jiazhaoo").exists()


def test_the_home_page_box_suggests_with_a_script_of_its_own_file(catalogue):
    page = Client().get("/").content.decode()
    assert 'data-suggest-url="/api/v1/search/suggest/"' in page
    assert 'src="/static/js/search-suggest.js"' in page
    assert "<script>" not in page  # nothing inline: the CSP allows scripts from 'self' only


@pytest.fixture
def system_admin(settings):
    settings.STAFF_MFA_REQUIRED = False
    user = make_staff(StaffRole.SYSTEM_ADMIN)
    client = Client()
    client.cookies["django_language"] = "en"
    assert (
        client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return client, user


def test_an_administrator_teaches_search_a_word_from_the_report(catalogue, system_admin):
    client, user = system_admin
    assert api(q="落地纸").json()["count"] == 0
    report = client.get("/admin/services/searchmiss/").content.decode()
    assert "落地纸" in report and "Add as an everyday word" in report
    response = client.post(
        "/admin/services/searchword/add/",
        {"phrase": "落地纸", "kind": WordKind.COLLOQUIAL, "means": "出生医学证明", "note": ""},
    )
    assert response.status_code == 302
    assert api(q="落地纸").json()["results"][0]["name"] == "出生医学证明首次签发"
    assert AuditEvent.objects.filter(action=AuditAction.CATALOGUE_CHANGED, actor=user).exists()


def test_a_department_administrator_does_not_edit_search_words():
    user = make_staff(StaffRole.DEPARTMENT_ADMIN)
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/admin/services/searchword/").status_code in (302, 403)
    assert SearchWord.objects.filter(kind=WordKind.FILLER).exists()  # the seed is there

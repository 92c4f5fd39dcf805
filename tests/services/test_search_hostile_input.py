"""Whatever is typed into search, the API, the search page, suggestions and the home page's box
answer it: results, nothing found, or a translated error for a query too long; never a 500."""

import pytest
from django.test import Client

from portal import demo as portal_demo
from services import demo

pytestmark = pytest.mark.django_db

HOSTILE = [
    "'; DROP TABLE services_service;--",
    "1=1 OR 'a'='a'",
    "%",
    "_%_",
    "\\",
    ".*(?P<x>[",
    "$^|+?{}()",
    "社保\x00卡",
    "".join(chr(i) for i in range(1, 32)) + "\x7f",
    "😀🏳️‍🌈社保😀",
    "ＳＨＥＢＡＯ　社保卡",
    "！！！。。。、、、",
    "…—·«»",
    "ﷺ" * 100,  # one character that NFKC makes eighteen
    "a\u0301" * 50,
    "\u202e社保\u200b\ufeff",
    "证" * 100,
    "g j j " * 16,
    "~shebao #社保",
    "'''",
]
PATHS = ["/api/v1/search/", "/api/v1/search/suggest/", "/search/", "/"]


@pytest.fixture
def catalogue():
    portal_demo.load()
    demo.load()


def test_hostile_queries_are_answered_never_with_a_server_error(catalogue):
    client = Client(raise_request_exception=False)
    failures = [
        (path, query, response.status_code)
        for query in HOSTILE
        for path in PATHS
        # A NUL (which nobody types) is refused for every request by portal.middleware.
        if (response := client.get(path, {"q": query})).status_code
        != (400 if "\x00" in query else 200)
    ]
    assert failures == []


def test_a_query_too_long_is_refused_with_a_translated_reason(catalogue):
    client = Client(raise_request_exception=False)
    for path in ["/api/v1/search/", "/api/v1/search/suggest/", "/search/"]:
        response = client.get(path, {"q": "社" * 101}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 400, path
    body = client.get("/api/v1/search/", {"q": "x" * 5000}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["fields"]["q"][0] == "搜索内容不能超过100个字符。"
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/search/", {"q": "x" * 5000})
    assert "搜索内容不能超过100个字符。" in page.content.decode()


def test_broken_encodings_and_odd_paging_are_no_server_error(catalogue):
    client = Client(raise_request_exception=False)
    for extra in [
        "q=%ED%A0%80",  # a lone surrogate in UTF-8
        "q=%FF%FE%C0%AF",
        "q=a&q=b",
        "q=社保&page=abc",
        "q=社保&page=-1",
        "q=社保&page=99999999999999999999999",
        "q=社保&page_size=0",
        "q=社保&page=%D9%A3",  # an Arabic-Indic digit
    ]:
        for path in PATHS:
            response = client.get(f"{path}?{extra}")
            assert response.status_code < 500, (path, extra, response.status_code)

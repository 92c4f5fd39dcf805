"""A search that finds nothing is recorded for the administrators (SearchMiss) with ID and
mobile numbers masked however the citizen typed them, and the request log line of that search
shows them masked too: the search page promises "身份证号、手机号等号码已隐去"."""

import logging
from urllib.parse import quote, unquote_plus

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

from services.models import SearchMiss
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number()
PHONE = "13800000001"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
TYPED = [
    f"zzqq {ID_NUMBER[:6]} {ID_NUMBER[6:10]} {ID_NUMBER[10:14]} {ID_NUMBER[14:]}",
    "zzqq " + " ".join(ID_NUMBER[i : i + 4] for i in range(0, 18, 4)),
    f"zzqq {ID_NUMBER[:6]}\u3000{ID_NUMBER[6:14]}\u3000{ID_NUMBER[14:]}",
    f"zzqq {ID_NUMBER[:6]}\u2013{ID_NUMBER[6:14]}\u2013{ID_NUMBER[14:]}",
    "zzqq " + ID_NUMBER.translate(FULL_WIDTH),
    "zzqq " + PHONE[:9].translate(FULL_WIDTH) + PHONE[9:],
    f"zzqq {PHONE[:3]}.{PHONE[3:7]}.{PHONE[7:]}",
    f"zzqq {PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}",
    "zzqq " + PHONE.translate(FULL_WIDTH),
]


def clear_digits(text: str) -> str:
    return "".join(c for c in text.translate(FULL_WIDTH) if c.isdigit())


@pytest.mark.parametrize("path", ["/search/", "/api/v1/search/"])
def test_a_missed_search_is_recorded_with_numbers_masked(client, path):
    for typed in TYPED:
        assert client.get(path, {"q": typed}).status_code == 200
    recorded = list(SearchMiss.objects.values_list("query", flat=True))
    assert recorded, "nothing recorded"
    for query in recorded:
        digits = clear_digits(query)
        assert ID_NUMBER[6:14] not in digits and PHONE[3:7] + PHONE[7:] not in digits, query
        assert "*" in query
    assert {q.split(" ", 1)[1] for q in recorded} == {
        ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:],
        PHONE[:3] + "****" + PHONE[-4:],
    }


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_the_request_log_line_of_such_a_search_masks_them():
    """runserver's console line, the query as a browser sends it (full-width percent-encoded)."""
    lines = Lines()
    server = logging.getLogger("django.server")
    server.addHandler(lines)
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None  # type: ignore[assignment]
    try:
        for typed in TYPED:
            handler.requestline = (
                f"GET /search/?q={quote(typed, safe='').replace('%20', '+')} HTTP/1.1"
            )
            handler.log_request(200, 1234)
    finally:
        server.removeHandler(lines)
    assert len(lines.lines) == len(TYPED)
    for line in lines.lines:
        digits = clear_digits(unquote_plus(line))
        assert ID_NUMBER[6:14] not in digits and PHONE[3:] not in digits, line

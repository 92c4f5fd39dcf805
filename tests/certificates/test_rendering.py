"""The printable certificate: every value in full, however long."""

import re
import zlib

from certificates import issuing, rendering
from tests.certificates.conftest import make_type


def _pages(document: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", document))


def _frames(document: bytes) -> int:
    """Rectangles stroked in the page content streams (fpdf2 compresses them)."""
    count = 0
    for stream in re.findall(rb"stream\n(.*?)\nendstream", document, re.S):
        try:
            count += zlib.decompress(stream).count(b" re S")
        except zlib.error:
            continue  # an image or a font, not a page
    return count


def test_a_long_value_wraps_onto_another_framed_page_instead_of_being_cut(issuer, person):
    ctype = make_type(issuer, seq=4)
    ctype.fields = [{"name": "scope", "label": "经营范围", "type": "text"}]
    ctype.save()
    short, long = (
        issuing.issue(
            type=ctype,
            issuer=issuer,
            holder_name="张三",
            holder_code=person.reveal_id_number(),
            surface={"scope": scope},
            by=None,
        )
        for scope in ("软件开发", "软件开发；信息技术咨询服务；数据处理和存储支持服务。" * 18)
    )
    assert len(long.surface["scope"]) > 400
    one = rendering.pdf(short, verify_url="https://example.org/v/1")
    two = rendering.pdf(long, verify_url="https://example.org/v/2")
    assert _pages(one) == 1
    assert _pages(two) == 2
    assert (_frames(one), _frames(two)) == (1, 2)  # every page framed

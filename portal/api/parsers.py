"""The API's JSON parser: DRF's, with a nesting limit checked before the body is parsed.

Python's json module parses nested arrays and objects recursively: a body of a few thousand
brackets raises RecursionError deep inside the parser (an HTTP 500 on every POST operation,
anonymous ones included), and anything a little shallower still costs every later recursive
walk of the data. No real request to this API nests deeper than a handful of levels.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

MAX_DEPTH = 32

# A JSON string, escapes included: brackets inside strings are text, not nesting.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
# The escape \u0000 (not an escaped backslash before "u0000"): PostgreSQL stores no NUL in text
# or jsonb, so a body holding one would end in a database error.
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class NestedTooDeeply(exceptions.ParseError):
    default_code = "too_deep"

    def __init__(self) -> None:
        super().__init__(
            _("The request body is nested too deeply: at most %(depth)d levels.")
            % {"depth": MAX_DEPTH}
        )


class NulInBody(exceptions.ParseError):
    default_code = "nul_character"

    def __init__(self) -> None:
        super().__init__(_("The request body holds a NUL character, which no text may contain."))


def nests_deeper_than(limit: int, text: str) -> bool:
    """Whether the JSON text nests arrays and objects more than limit levels deep.

    Exact for valid JSON; a broken body may be misjudged, and the parser refuses it anyway.
    """
    if text.count("[") + text.count("{") <= limit:
        return False  # too few brackets: spare the scan
    level = 0
    for bracket in _NOT_A_BRACKET.sub("", _STRING.sub("", text)):
        level += 1 if bracket in "[{" else -1
        if level > limit:
            return True
    return False


def _finite(text: str) -> float:
    """A JSON number as a float; one no float holds (1e400 reads as infinity, which no JSON
    column stores: a database error, a 500) is refused like NaN and Infinity."""
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"Number out of range: {text[:40]}")
    return number


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with MAX_DEPTH levels of nesting at most (400 ``too_deep``)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # Refuses byte-to-byte codecs such as bz2_codec (DRF 3.18.3, newer than its stubs).
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        parse_constant = json.strict_constant if self.strict else None
        try:
            text = codecs.getreader(encoding)(stream).read()
            if nests_deeper_than(MAX_DEPTH, text):
                raise NestedTooDeeply
            if "\\u" in text and _NUL_ESCAPE.search(text):
                raise NulInBody
            return json.loads(text, parse_constant=parse_constant, parse_float=_finite)
        except RecursionError:  # not expected after the depth check; never a 500
            raise NestedTooDeeply from None
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None

"""CSV cells a spreadsheet opens as text: names typed in /admin/ reach the dashboard's and the
open data's CSV files, and a cell starting with =, +, -, @, a tab or a carriage return would be
run as a formula (CSV injection). Such text gets a leading apostrophe; numbers stay numbers."""

from __future__ import annotations

from typing import Any

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value

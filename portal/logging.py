"""Masking resident ID numbers and mobile numbers out of log lines and error reports.

The filter goes on every handler (Django's LOGGING, gunicorn's logger class in
portal/gunicorn.py, Celery's handlers through the signals in portal/celery.py) and on the
loggers that carry request lines (``django.server``, ``django.request``, gunicorn's).
Installing it also wraps the log record factory, so that records are masked when they are
made: a handler on an intermediate logger, or one a library adds later, never sees a number
in clear either.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

# Numbers are found as chains of digit groups. A digit is ASCII, full-width (what a Chinese
# input method types) or a full-width digit percent-encoded in a URL; groups are joined by a
# space, an ideographic or no-break space, a hyphen, a dot, an en dash (or their full-width or
# URL forms: "+", "%20", "%E3%80%80" ...). A group touching a letter or a digit (other than the
# hex digits of a URL escape in front: "%3D440106..." is "=440106...") belongs to a longer token
# (a hash, a USCC, a UUID's last group "...-b17875539943") and is left alone, and so is every
# group joined to it by a hyphen, dot or dash: task and request ids stay whole.
_DIGIT = r"(?:[0-9\uff10-\uff19]|%3[0-9]|%[Ee][Ff]%[Bb][Cc]%9[0-9])"
_X = r"(?:[Xx\uff38\uff58]|%[Ee][Ff]%[Bb][Cc]%[Bb]8|%[Ee][Ff]%[Bb][Dd]%98)"
_SPACE = r"(?:[ +\u00a0\u3000]|%20|%[Cc]2%[Aa]0|%[Ee]3%80%80)"
_JOIN = r"(?:[\-.\u2013\uff0d\uff0e]|%2[DEde]|%[Ee]2%80%93|%[Ee][Ff]%[Bb][Cc]%8[DEde])"
_SEP = rf"(?:{_SPACE}|{_JOIN}){{1,3}}"
_PLUS = r"(?:[+\uff0b]|%2[Bb]|%[Ee][Ff]%[Bb][Cc]%8[Bb])"
# A group never starts inside a URL escape ("%20", "%E3").
_GROUP = re.compile(rf"(?<!%)(?<!%[0-9A-Fa-f]){_DIGIT}+{_X}?")
# A chain takes the "+" of "+86" in front along, so that it goes with the country code.
_CHAIN = re.compile(
    rf"(?=[%+0-9\uff0b\uff10-\uff19]){_PLUS}?{_GROUP.pattern}(?:{_SEP}{_DIGIT}+{_X}?)*"
)
_JOIN_ONLY = re.compile(rf"(?:{_JOIN})+")
_PLUS_BEFORE = re.compile(rf"{_PLUS}?$")
_ESCAPE_BEFORE = re.compile(r"%[0-9A-Fa-f]{2}$")
_ALNUM = re.compile(r"[0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_PLAIN = str.maketrans(
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff38\uff58",
    "0123456789Xx",
)
_ENCODED = re.compile(r"%(?:3([0-9])|EF%BC%9([0-9])|EF%BC%B8|EF%BD%98)", re.I)
# A quick look before the chains: fewer digits than a mobile number, nothing to mask.
_DIGIT_CHAR = re.compile(r"[0-9\uff10-\uff19]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID_SHAPE = re.compile(r"[1-9]\d{16}[\dXx]")


def _plain(group: str) -> str:
    """The digits (and a final X) of a group as ASCII."""
    group = _ENCODED.sub(lambda m: m.group(1) or m.group(2) or "X", group)
    return group.translate(_PLAIN)


def _born(digits: str) -> bool:
    """Whether an ID-shaped number carries a birth date (a grouped number must, to be one)."""
    year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def _number_in(groups: list[str], seps: list[str]) -> tuple[str, str] | None:
    """("id"|"phone", digits) when these consecutive groups together are one number."""
    digits = "".join(groups)
    if len(groups) > 1 and any(len(g) < 2 for g in groups):
        return None
    if len(digits) == 18 and _ID_SHAPE.fullmatch(digits):
        if len(groups) == 1 or (digits[0] != "0" and _born(digits)):
            return "id", digits
        return None
    if "X" in digits.upper():
        return None
    if len(groups) == 2 and seps[0] in (".", "%2E", "%2e") and len(groups[1]) == 2:
        return None  # an amount, 138000000.01, is no mobile number
    for prefix in ("", "86", "0086"):
        national = digits[len(prefix) :]
        if digits.startswith(prefix) and _MOBILE.fullmatch(national):
            # Grouped, the number itself starts with three digits at least: "15 000 000 000"
            # is an amount written with thousands apart.
            first = groups[1] if len(groups) > 1 and groups[0] == prefix else groups[0]
            if len(groups) > 1 and len(first) < 3:
                return None
            return "phone", national
    return None


def _masked(kind: str, digits: str) -> str:
    if kind == "id":
        return digits[:4] + "*" * 10 + digits[-4:]
    return digits[:3] + "****" + digits[-4:]


def _attached(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the chain text[start:end] touches a letter or digit in front, behind."""
    before = start > 0 and bool(_ALNUM.match(text[start - 1]))
    if before and _ESCAPE_BEFORE.search(text[max(0, start - 3) : start]):
        before = False
    after = end < len(text) and bool(_ALNUM.match(text[end]))
    return before, after


def _mask_chain(text: str, chain: re.Match[str]) -> str | None:
    """The chain with the numbers in it masked, or None when it holds none."""
    spans = [m.span() for m in _GROUP.finditer(text, chain.start(), chain.end())]
    before, after = _attached(text, spans[0][0], chain.end())
    if len(spans) == 1 and (before or after):
        return None
    groups = [_plain(text[a:b]) for a, b in spans]
    seps = [text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1)]
    joined = [bool(_JOIN_ONLY.fullmatch(s)) for s in seps]
    free = [True] * len(spans)
    if before:  # the first group belongs to a token, and whatever is joined to it
        i = 0
        free[0] = False
        while i < len(seps) and joined[i]:
            i += 1
            free[i] = False
    if after:
        i = len(spans) - 1
        free[i] = False
        while i > 0 and joined[i - 1]:
            i -= 1
            free[i] = False
    out: list[str] = []
    cursor = chain.start()
    i = 0
    while i < len(spans):
        found = None
        if free[i]:
            length = 0
            for j in range(i, len(spans)):
                length += len(groups[j])
                if not free[j] or length > 18:
                    break
                if length in (11, 13, 15, 18):
                    number = _number_in(groups[i : j + 1], seps[i:j])
                    if number and (found is None or number[0] == "id"):
                        found = (j, number)
        if found is None:
            i += 1
            continue
        j, (kind, digits) = found
        start = spans[i][0]
        if kind == "phone" and not groups[i].startswith(digits[:3]):  # "+86" goes too
            plus = _PLUS_BEFORE.search(text, cursor, start)
            start = plus.start() if plus else start
        out.append(text[cursor:start] + _masked(kind, digits))
        cursor = spans[j][1]
        i = j + 1
    if not out:
        return None
    out.append(text[cursor : chain.end()])
    return "".join(out)


def mask_text(text: str) -> str:
    """The text with every resident ID number and mainland mobile number masked, however
    its digits are grouped, whether half- or full-width, plain or percent-encoded."""
    if len(_DIGIT_CHAR.findall(text)) < 11:
        return text
    out: list[str] = []
    cursor = 0
    for chain in _CHAIN.finditer(text):
        if chain.end() - chain.start() < 11:  # too short to hold a number
            continue
        masked = _mask_chain(text, chain)
        if masked is not None:
            out += (text[cursor : chain.start()], masked)
            cursor = chain.end()
    if not out:
        return text
    out.append(text[cursor:])
    return "".join(out)


def mask_record(record: logging.LogRecord) -> None:
    """Mask the rendered message (the arguments too: ``django.server`` passes the request line
    as one, gunicorn a dict of atoms), the traceback text and the stack of a record."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: let the handler report it as usual
        return
    masked = mask_text(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


class MaskPersonalDataFilter(logging.Filter):
    """Masks what a handler (or logger) is given; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


class _MaskingRecordFactory:
    """Wraps the record factory so that a record is masked when it is made: a handler
    that sits on an intermediate logger, or is added later by a library, sees no
    number in clear either."""

    def __init__(self, wrapped: Callable[..., logging.LogRecord]) -> None:
        self.wrapped = wrapped

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.wrapped(*args, **kwargs)
        mask_record(record)
        return record


def mask_every_record() -> None:
    """From now on, every record this process makes is masked at birth (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(factory))


def masking_filter() -> MaskPersonalDataFilter:
    """The filter for LOGGING's handlers; configuring it also masks every record at birth."""
    mask_every_record()
    return MaskPersonalDataFilter()


def mask_logger(logger: logging.Logger) -> None:
    """Put the filter on a logger and on each of its handlers, once; mask records at birth."""
    mask_every_record()
    for target in (logger, *logger.handlers):
        if not any(isinstance(f, MaskPersonalDataFilter) for f in target.filters):
            target.addFilter(MaskPersonalDataFilter())


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Error reports (500 pages in DEBUG, admin e-mails) never show personal data in clear.

    Django hides POST values only for views marked @sensitive_post_parameters; here every
    field that may hold an ID number, a phone, a password or a code is hidden everywhere,
    and any other value, and the request's path and query string, pass through the same
    masking as log lines.
    """

    hidden_fields = re.compile(r"id_number|phone|login|password|code|secret|token", re.I)

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        cleansed = {}
        for key, values in request.POST.lists():
            if self.hidden_fields.search(key):
                cleansed[key] = self.cleansed_substitute
            else:
                cleansed[key] = mask_text(", ".join(values))
        return cleansed

    def get_safe_request_meta(self, request: HttpRequest) -> dict[str, Any]:
        meta = super().get_safe_request_meta(request)
        return {k: mask_text(v) if isinstance(v, str) else v for k, v in meta.items()}

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

# An alphanumeric neighbour means the digits belong to a longer token (a hash, a USCC), except
# for the hex digits of a URL escape in front: "%3D440106..." is "=440106...".
_BEFORE = r"(?:(?<=%[0-9A-Fa-f]{2})|(?<![0-9A-Za-z]))"
# People type numbers in groups; in URLs the space becomes "+" or "%20".
_GAP = r"(?:[ \-+]|%20)?"
_ID_NUMBER = re.compile(
    _BEFORE + rf"(\d{{4}})(\d{{2}}{_GAP}\d{{8}}{_GAP}\d{{3}}[\dXx])" + r"(?![0-9A-Za-z])"
)
# The same neighbour rule keeps task and request ids whole: a UUID's last group can hold eleven
# digits that look like a mobile number ("...-b17875539943").
_PHONE = re.compile(
    _BEFORE
    + rf"(?:(?:\+|%2[Bb]|00)?86{_GAP})?(1[3-9]\d){_GAP}(\d{{4}}){_GAP}(\d{{4}})(?![0-9A-Za-z])"
)


def _mask_id(match: re.Match[str]) -> str:
    digits = re.sub(r"[^\dXx]", "", match.group(2))
    return match.group(1) + "*" * 10 + digits[-4:]


def mask_text(text: str) -> str:
    """The text with every resident ID number and mainland mobile number masked."""
    text = _ID_NUMBER.sub(_mask_id, text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


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

"""A log filter that masks resident ID numbers and mobile numbers that slip into messages."""

import logging
import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(?:\+86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    """Error reports (500 pages in DEBUG, admin e-mails) never show personal data in clear.

    Django hides POST values only for views marked @sensitive_post_parameters; here every
    field that may hold an ID number, a phone, a password or a code is hidden everywhere,
    and any other value is passed through the same masking as log lines.
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

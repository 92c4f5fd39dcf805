"""Serializer fields for the API's nested input."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.utils import html


class _FormEntry(str):
    """A form entry named after an object field itself: text where an object belongs."""


class ObjectField(serializers.DictField):
    """A JSON object; in a form or multipart body, one ``<field>.<name>`` entry per name.

    DRF reads a form entry named after the field itself as an empty object, so that
    ``surface=address=…`` would be dropped without a word: such an entry is refused instead.
    An empty one still means an empty object, as DRF has it.
    """

    default_error_messages = {
        "not_an_object": _(
            "Send this field as an object: in a form body, one {field}.<name> entry for each "
            "of its names; or send the request as JSON."
        ),
    }

    def get_value(self, dictionary: Any) -> Any:
        if html.is_html_input(dictionary):
            given = [str(v) for v in dictionary.getlist(self.field_name) if str(v).strip()]
            if given:
                return _FormEntry(given[0])
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, _FormEntry):
            self.fail("not_an_object", field=self.field_name)
        return super().to_internal_value(data)

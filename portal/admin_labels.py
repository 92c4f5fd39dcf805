"""Names for allauth's models in our admin, in the reader's language.

allauth leaves some model names untranslatable (Token, Authenticator and UserSession declare no
verbose_name, so the admin says "Tokens") and many field labels and help texts as plain English.
Model names are set on ``_meta`` (migrations read the declared Meta, ``original_attrs``, so this
writes no migration); field labels go through the admin's form and list columns instead, since a
field's verbose_name is part of its migration state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.idp.oidc.models import Client, Token
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_stubs_ext import StrPromise

MODEL_NAMES: dict[type[models.Model], tuple[StrPromise, StrPromise]] = {
    Token: (_("OpenID token"), _("OpenID tokens")),
    Authenticator: (_("second factor"), _("second factors")),
    UserSession: (_("signed-in session"), _("signed-in sessions")),
    Client: (_("OpenID client system"), _("OpenID client systems")),
}

FIELD_LABELS: dict[str, StrPromise] = {
    "id": _("ID"),
    "user": _("account"),
    "type": pgettext_lazy("kind", "type"),
    "data": _("data"),
    "created_at": _("created at"),
    "expires_at": _("expires at"),
    "last_used_at": _("last used at"),
    "last_seen_at": _("last seen at"),
    "ip": _("IP address"),
    "user_agent": _("browser"),
    "client": _("OpenID client system"),
    "hash": _("hash"),
    "name": _("name"),
    "owner": _("owner"),
    "secret": _("client secret"),
    "scopes": _("scopes"),
    "default_scopes": _("default scopes"),
    "grant_types": _("grant types"),
    "response_types": _("response types"),
    "redirect_uris": _("redirect URIs"),
    "cors_origins": _("CORS allowed origins"),
    "allow_uri_wildcards": _("allow URI wildcards"),
    "skip_consent": _("skip the consent screen"),
}

HELP_TEXTS: dict[str, StrPromise] = {
    "redirect_uris": _("A list of allowed redirect (callback) URLs, one per line."),
    "skip_consent": _("Users of this system are not asked to consent to sharing their data."),
}

# allauth's Token.Type labels are plain strings, not marked for translation.
TOKEN_TYPES: dict[str, StrPromise] = {
    "ia": _("Initial access token"),
    "at": _("Access token"),
    "rt": _("Refresh token"),
    "ac": _("Authorization code"),
}


def name_models() -> None:
    for model, (name, plural) in MODEL_NAMES.items():
        model._meta.verbose_name = name
        model._meta.verbose_name_plural = plural


def _column(model: type[models.Model], name: str) -> Callable[[Any], Any] | str:
    """A list column for ``name`` headed by our label (the field's own when we have none)."""
    if name not in FIELD_LABELS:
        return name
    field = model._meta.get_field(name)

    def value(obj: Any) -> Any:
        if model is Token and name == "type":
            return TOKEN_TYPES.get(obj.type, obj.type)
        return getattr(obj, name)

    return admin.display(
        description=FIELD_LABELS[name],
        ordering=name,
        boolean=isinstance(field, models.BooleanField),
    )(value)


class LabelledAdmin(admin.ModelAdmin):
    """Shows our labels for the fields of a model whose own labels are English only."""

    def get_list_display(self, request: HttpRequest) -> Any:
        return [
            _column(self.model, n) if isinstance(n, str) else n
            for n in super().get_list_display(request)
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs.setdefault("labels", FIELD_LABELS)
        kwargs.setdefault("help_texts", HELP_TEXTS)
        return super().get_form(request, obj, change, **kwargs)

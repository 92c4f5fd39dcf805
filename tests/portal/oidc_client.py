"""A department's system (relying party) talking to the portal's OpenID provider.

Two test clients play the two sides an RP has: ``browser`` is the citizen's browser (session
cookie, CSRF enforced like a real one) and ``backend`` is the department's server, which calls
the token, userinfo and revocation endpoints directly and never carries the citizen's cookies.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode, urlsplit

import jwt
from allauth.idp.oidc.adapter import get_adapter
from allauth.idp.oidc.models import Client
from django.test import Client as HttpClient

ISSUER = "http://testserver"


def pkce_pair() -> tuple[str, str]:
    """A random code_verifier and its S256 code_challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def register_client(
    name: str,
    *,
    redirect_uris: list[str],
    scopes: list[str],
    kind: str = Client.Type.CONFIDENTIAL,
) -> tuple[Client, str]:
    """Register a client as the admin does; a confidential one gets a generated secret, shown
    once, of which only the hash is stored (see allauth's ClientAdmin). Public: secret ""."""
    client = Client(name=name, type=kind)
    client.set_redirect_uris(redirect_uris)
    client.set_scopes(scopes)
    client.set_grant_types([Client.GrantType.AUTHORIZATION_CODE, Client.GrantType.REFRESH_TOKEN])
    client.set_response_types([Client.ResponseType.CODE])
    secret = ""
    if kind == Client.Type.CONFIDENTIAL:
        secret = get_adapter().generate_client_secret()
        client.set_secret(secret)
    client.full_clean()
    client.save()
    return client, secret


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    """client_secret_basic: HTTP Basic with the form-urlencoded id and secret (RFC 6749 2.3.1)."""
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(pair).decode("ascii")}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def path_of(url: str) -> str:
    """The test client wants a path; discovery gives absolute URLs on http://testserver."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == ISSUER, url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class _FormParser(HTMLParser):
    """Collects each POST form: its action, the values a browser would submit, its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = HtmlForm(a.get("action", ""), [], [])
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            return
        elif tag == "button" or (tag == "input" and a.get("type") == "submit"):
            self._form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "input":
            kind = a.get("type", "text")
            if kind not in ("checkbox", "radio") or "checked" in a:
                self._form.fields.append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


@dataclass
class HtmlForm:
    action: str
    fields: list[tuple[str, str]]
    buttons: list[tuple[str, str]]

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.fields if k == name]

    def submission(self, button: tuple[str, str], **replace: list[str]) -> dict[str, Any]:
        """What the browser posts when ``button`` is pressed; ``replace`` overrides fields."""
        assert button in self.buttons, (button, self.buttons)
        data: dict[str, list[str]] = {}
        for name, value in self.fields:
            data.setdefault(name, []).append(value)
        data.update(replace)
        data.setdefault(button[0], []).append(button[1])
        return data


def parse_form(html: str, action: str) -> HtmlForm:
    """The page's POST form that submits to ``action`` (a path)."""
    parser = _FormParser()
    parser.feed(html)
    matching = [form for form in parser.forms if form.action == action]
    assert len(matching) == 1, [form.action for form in parser.forms]
    return matching[0]


@dataclass
class DepartmentSystem:
    """The relying party: registered client credentials plus the discovered endpoints."""

    client_id: str
    secret: str
    redirect_uri: str
    config: dict[str, Any]
    backend: HttpClient = field(default_factory=HttpClient)

    def authorization_url(
        self,
        *,
        scope: str,
        state: str,
        nonce: str,
        challenge: str | None,
        method: str | None = "S256",
        redirect_uri: str | None = None,
    ) -> str:
        """The authorize URL; ``challenge=None`` leaves PKCE out, ``method=None`` the method."""
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri or self.redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
            "nonce": nonce,
        }
        if challenge is not None:
            params["code_challenge"] = challenge
            if method is not None:
                params["code_challenge_method"] = method
        return f"{path_of(self.config['authorization_endpoint'])}?{urlencode(params)}"

    def token_request(self, data: dict[str, str], *, secret: str | None = None):
        endpoint = path_of(self.config["token_endpoint"])
        if not self.secret and secret is None:  # a public client: no secret, only its id
            return self.backend.post(endpoint, {**data, "client_id": self.client_id})
        return self.backend.post(
            endpoint, data, **basic_auth(self.client_id, secret or self.secret)
        )

    def exchange_code(self, code: str, verifier: str, *, redirect_uri: str | None = None):
        return self.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri or self.redirect_uri,
                "code_verifier": verifier,
            }
        )

    def refresh(self, refresh_token: str):
        return self.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def userinfo(self, access_token: str):
        return self.backend.get(path_of(self.config["userinfo_endpoint"]), **bearer(access_token))

    def revoke(self, token: str, hint: str):
        return self.backend.post(
            path_of(self.config["revocation_endpoint"]),
            {"token": token, "token_type_hint": hint},
            **basic_auth(self.client_id, self.secret),
        )

    def jwks(self) -> jwt.PyJWKSet:
        response = self.backend.get(path_of(self.config["jwks_uri"]))
        assert response.status_code == 200, response.content
        return jwt.PyJWKSet.from_dict(response.json())

    def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Validate like an RP library would: signature by kid from JWKS, iss, aud, exp, nonce."""
        kid = jwt.get_unverified_header(id_token)["kid"]
        key = next(k for k in self.jwks().keys if k.key_id == kid)
        claims = jwt.decode(
            id_token,
            key=key,
            algorithms=["RS256"],
            audience=self.client_id,
            issuer=self.config["issuer"],
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
        assert claims["nonce"] == nonce
        return claims

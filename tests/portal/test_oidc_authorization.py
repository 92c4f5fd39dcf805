"""The authorization request, from a department's system (the relying party): the redirect URI
must be one the department registered, character for character, and every client uses PKCE
with S256. Everything goes over HTTP through allauth's real endpoints.
"""

from __future__ import annotations

import secrets

import pytest
from allauth.idp.oidc.models import Client
from django.test import Client as HttpClient

from tests.factories import PersonFactory
from tests.portal.oidc_client import (
    DepartmentSystem,
    parse_form,
    path_of,
    pkce_pair,
    query_of,
    register_client,
)

pytestmark = pytest.mark.django_db

CALLBACK = "https://rp.dept.example/cb"
WITH_SLASH = "https://rp.dept.example/done/"
SCOPE = "openid profile"

# Each differs from a registered URI; RFC 3986 6.2.1 simple string comparison refuses all.
NOT_REGISTERED = {
    "query added": CALLBACK + "?next=https://evil.example/",
    "empty query added": CALLBACK + "?",
    "fragment added": CALLBACK + "#https://evil.example/",
    "trailing slash added": CALLBACK + "/",
    "trailing slash removed": WITH_SLASH.rstrip("/"),
    "path case changed": "https://rp.dept.example/CB",
    "host case changed": "https://RP.dept.example/cb",
    "registered host as userinfo": "https://rp.dept.example@evil.example/cb",
    "userinfo added": "https://evil@rp.dept.example/cb",
    "other port": "https://rp.dept.example:8443/cb",
    "default port spelt out": "https://rp.dept.example:443/cb",
    "http instead of https": "http://rp.dept.example/cb",
    "dot segment": "https://rp.dept.example/x/../cb",
    "percent-encoded path": "https://rp.dept.example/%63b",
}


@pytest.fixture
def discovery() -> dict:
    return HttpClient().get("/.well-known/openid-configuration").json()


@pytest.fixture
def rp(discovery) -> DepartmentSystem:
    client, secret = register_client(
        "不动产登记中心", redirect_uris=[CALLBACK, WITH_SLASH], scopes=["openid", "profile"]
    )
    return DepartmentSystem(client.id, secret, CALLBACK, discovery)


@pytest.fixture
def browser() -> HttpClient:
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(PersonFactory(verified=True).user)
    return browser


def authorize(browser: HttpClient, rp: DepartmentSystem, **kwargs) -> tuple[str, str, object]:
    """Open the authorize URL and press "Authorize" if a consent page is shown.

    Returns the verifier, the state and the last response."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(8)
    kwargs.setdefault("challenge", challenge)
    url = rp.authorization_url(scope=SCOPE, state=state, nonce="n", **kwargs)
    response = browser.get(url)
    if response.status_code == 200 and 'name="request"' in response.content.decode():
        form = parse_form(response.content.decode(), path_of(rp.config["authorization_endpoint"]))
        response = browser.post(form.action, form.submission(("action", "grant")))
    return verifier, state, response


def code_from(response, redirect_uri: str, state: str) -> str:
    assert response.status_code == 302, response.content
    assert response["Location"].startswith(redirect_uri + "?"), response["Location"]
    params = query_of(response["Location"])
    assert params["state"] == state
    return params["code"]


# --- The redirect URI must be a registered one, exactly --------------------------------------


@pytest.mark.parametrize("uri", NOT_REGISTERED.values(), ids=NOT_REGISTERED.keys())
def test_authorization_refuses_a_redirect_uri_that_is_not_exactly_registered(
    browser, rp, uri, english
):
    _, _, response = authorize(browser, rp, redirect_uri=uri)

    # An error page on the portal: nothing is sent to the unregistered address, not even
    # an error (RFC 6749 4.1.2.1), and no consent form that could produce a code.
    assert response.status_code == 400
    assert not response.has_header("Location")
    text = response.content.decode()
    assert 'name="request"' not in text
    assert "not registered for this system" in text


@pytest.mark.parametrize("uri", NOT_REGISTERED.values(), ids=NOT_REGISTERED.keys())
def test_a_code_cannot_be_exchanged_with_another_redirect_uri(browser, rp, uri):
    verifier, state, response = authorize(browser, rp)
    code = code_from(response, CALLBACK, state)

    refused = rp.exchange_code(code, verifier, redirect_uri=uri)

    assert refused.status_code == 400
    assert "access_token" not in refused.json()


@pytest.mark.parametrize("uri", [CALLBACK, WITH_SLASH])
def test_each_registered_redirect_uri_works_end_to_end(browser, rp, uri):
    verifier, state, response = authorize(browser, rp, redirect_uri=uri)
    code = code_from(response, uri, state)

    tokens = rp.exchange_code(code, verifier, redirect_uri=uri)

    assert tokens.status_code == 200, tokens.content
    assert rp.userinfo(tokens.json()["access_token"]).status_code == 200


def test_a_signed_out_visitor_with_a_bad_redirect_uri_gets_the_error_not_the_sign_in(rp):
    # No point in signing in for a request that can only fail.
    _, challenge = pkce_pair()
    url = rp.authorization_url(
        scope=SCOPE, state="s", nonce="n", challenge=challenge, redirect_uri=CALLBACK + "?x=1"
    )
    response = HttpClient().get(url)
    assert response.status_code == 400
    assert not response.has_header("Location")


def test_a_relying_party_may_post_the_authorization_request(browser, rp):
    # OpenID Connect Core 3.1.2.1: GET and POST; a POST carries no CSRF token of ours.
    _, challenge = pkce_pair()
    query = rp.authorization_url(scope=SCOPE, state="s", nonce="n", challenge=challenge)
    data = query_of(query)
    endpoint = path_of(rp.config["authorization_endpoint"])

    refused = browser.post(endpoint, {**data, "redirect_uri": CALLBACK + "?x=1"})
    assert refused.status_code == 400
    assert not refused.has_header("Location")

    accepted = browser.post(endpoint, data, follow=True)
    assert accepted.status_code == 200
    assert 'name="request"' in accepted.content.decode()  # the consent page


# --- Native apps: any port on a loopback address (RFC 8252 7.3) ------------------------------

LOOPBACK_V4 = "http://127.0.0.1/oauth/callback"
LOOPBACK_V6 = "http://[::1]/oauth/callback"


@pytest.fixture
def native_app(discovery) -> DepartmentSystem:
    client, _ = register_client(
        "不动产登记桌面客户端",
        redirect_uris=[LOOPBACK_V4, LOOPBACK_V6],
        scopes=["openid", "profile"],
        kind=Client.Type.PUBLIC,
    )
    return DepartmentSystem(client.id, "", LOOPBACK_V4, discovery)


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:53124/oauth/callback", "http://[::1]:8080/oauth/callback"]
)
def test_a_native_app_may_listen_on_any_port_of_its_loopback_address(browser, native_app, uri):
    verifier, state, response = authorize(browser, native_app, redirect_uri=uri)
    code = code_from(response, uri, state)

    tokens = native_app.exchange_code(code, verifier, redirect_uri=uri)

    assert tokens.status_code == 200, tokens.content


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:53124/oauth/callback?next=x",
        "http://127.0.0.1:53124/oauth/callback/",
        "http://127.0.0.1:53124/other",
        "http://localhost:53124/oauth/callback",
        "https://127.0.0.1:53124/oauth/callback",
        "http://127.0.0.2:53124/oauth/callback",
        "http://evil@127.0.0.1:53124/oauth/callback",
        "http://127.0.0.1:53124@evil.example/oauth/callback",
        "http://127.0.0.1:/oauth/callback",
        "http://[::1]:53124/oauth/callback#x",
    ],
)
def test_only_the_port_of_a_loopback_redirect_uri_may_vary(browser, native_app, uri):
    _, _, response = authorize(browser, native_app, redirect_uri=uri)
    assert response.status_code == 400
    assert not response.has_header("Location")


def test_the_loopback_port_rule_does_not_apply_to_registered_host_names(browser, rp):
    _, _, response = authorize(browser, rp, redirect_uri="https://rp.dept.example:1234/cb")
    assert response.status_code == 400


# --- PKCE with S256 for every client ---------------------------------------------------------


def test_a_confidential_client_without_pkce_gets_invalid_request_and_no_code(browser, rp):
    _, state, response = authorize(browser, rp, challenge=None)

    # The redirect URI is the exact registered one, so the error goes back to the client
    # (RFC 6749 4.1.2.1, RFC 7636 4.4.1).
    assert response.status_code == 302
    assert response["Location"].startswith(CALLBACK + "?")
    params = query_of(response["Location"])
    assert params["error"] == "invalid_request"
    assert params["state"] == state
    assert "code" not in params


def test_a_public_client_without_pkce_gets_invalid_request_and_no_code(browser, native_app):
    uri = "http://127.0.0.1:53124/oauth/callback"
    _, _, response = authorize(browser, native_app, challenge=None, redirect_uri=uri)
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert "code" not in query_of(response["Location"])


@pytest.mark.parametrize("method", ["plain", None, "s256", "S512"])
def test_a_code_challenge_method_other_than_s256_is_refused(browser, rp, method):
    # Without a method RFC 7636 means "plain", which a leaked challenge would defeat.
    verifier, _ = pkce_pair()
    _, _, response = authorize(browser, rp, challenge=verifier, method=method)
    assert response.status_code == 302
    params = query_of(response["Location"])
    assert params["error"] == "invalid_request"
    assert "code" not in params


def test_a_pkce_failure_with_a_bad_redirect_uri_still_redirects_nowhere(browser, rp):
    _, _, response = authorize(browser, rp, challenge=None, redirect_uri=CALLBACK + "?x=1")
    assert response.status_code == 400
    assert not response.has_header("Location")


def test_token_exchange_without_the_code_verifier_is_refused(browser, rp):
    _, state, response = authorize(browser, rp)
    code = code_from(response, CALLBACK, state)

    refused = rp.token_request(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    )

    # RFC 6749 5.2: a missing required parameter is invalid_request.
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_request"
    assert "access_token" not in refused.json()


def test_token_exchange_with_a_wrong_code_verifier_is_invalid_grant(browser, rp):
    _, state, response = authorize(browser, rp)
    code = code_from(response, CALLBACK, state)
    other_verifier, _ = pkce_pair()

    refused = rp.exchange_code(code, other_verifier)

    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_discovery_advertises_s256_only(discovery):
    assert discovery["code_challenge_methods_supported"] == ["S256"]

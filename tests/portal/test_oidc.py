"""The portal as an OpenID provider, seen from a department's system (the relying party).

Everything goes over HTTP through allauth's real endpoints: discovery, consent, the token
endpoint with PKCE and client_secret_basic, JWKS, userinfo, the REST API, refresh, logout and
revocation. Nothing in allauth is mocked.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote_plus

import jwt
import pytest
from allauth.idp.oidc.models import Client
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.test import Client as HttpClient

from portal.models import AuditAction, AuditEvent, Organisation, StaffRole
from tests.factories import (
    PASSWORD,
    PersonFactory,
    activate_totp,
    make_staff,
    make_uscc,
    totp_code,
)
from tests.portal.oidc_client import (
    ISSUER,
    DepartmentSystem,
    bearer,
    parse_form,
    path_of,
    pkce_pair,
    query_of,
    register_client,
)

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://gjj.example.gov.cn/oidc/callback"
CLIENT_SCOPES = ["openid", "profile", "phone", "id_number"]
BASIC_SCOPE = "openid profile phone"


def register_department_system(name: str = "住房公积金管理中心") -> tuple[Client, str]:
    return register_client(name, redirect_uris=[REDIRECT_URI], scopes=CLIENT_SCOPES)


@pytest.fixture
def discovery() -> dict:
    response = HttpClient().get("/.well-known/openid-configuration")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def rp(discovery) -> DepartmentSystem:
    client, secret = register_department_system()
    return DepartmentSystem(
        client_id=client.id, secret=secret, redirect_uri=REDIRECT_URI, config=discovery
    )


@pytest.fixture
def person():
    return PersonFactory(legal_name="王建国", verified=True)


@pytest.fixture
def browser(person) -> HttpClient:
    """The citizen's browser, signed in to the portal; CSRF is enforced as in a real one."""
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(person.user)
    return browser


@dataclass
class Grant:
    code: str
    state: str
    nonce: str
    verifier: str


def consent(
    browser: HttpClient, rp: DepartmentSystem, scope: str, *, granted: list[str] | None = None
) -> Grant:
    """Send the browser to the authorize endpoint and press "Authorize" on the consent page,
    optionally unticking scopes first; return what arrives at the redirect_uri."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    page = browser.get(
        rp.authorization_url(scope=scope, state=state, nonce=nonce, challenge=challenge)
    )
    assert page.status_code == 200, page
    form = parse_form(page.content.decode(), path_of(rp.config["authorization_endpoint"]))
    assert sorted(form.values("scopes")) == sorted(scope.split())
    data = form.submission(
        ("action", "grant"), **({"scopes": granted} if granted is not None else {})
    )
    response = browser.post(form.action, data)
    assert response.status_code == 302, response.content
    location = response["Location"]
    assert location.startswith(REDIRECT_URI + "?"), location
    params = query_of(location)
    assert params["state"] == state
    return Grant(code=params["code"], state=state, nonce=nonce, verifier=verifier)


def tokens_for(
    browser: HttpClient, rp: DepartmentSystem, scope: str = BASIC_SCOPE, **kwargs
) -> tuple[Grant, dict]:
    grant = consent(browser, rp, scope, **kwargs)
    response = rp.exchange_code(grant.code, grant.verifier)
    assert response.status_code == 200, response.content
    return grant, response.json()


def release_audits(person) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.PERSONAL_DATA_VIEWED, subject=person.user)
    )


def id_number_audits(person) -> list[AuditEvent]:
    return [event for event in release_audits(person) if "id_number" in event.fields]


# --- Discovery and registration ------------------------------------------------------------


def test_discovery_lists_the_endpoints_a_department_system_needs(discovery):
    assert discovery["issuer"] == ISSUER
    for key, path in [
        ("authorization_endpoint", "/identity/o/authorize"),
        ("token_endpoint", "/identity/o/api/token"),
        ("userinfo_endpoint", "/identity/o/api/userinfo"),
        ("jwks_uri", "/.well-known/jwks.json"),
        ("end_session_endpoint", "/identity/o/logout"),
        ("revocation_endpoint", "/identity/o/api/revoke"),
    ]:
        assert discovery[key] == ISSUER + path
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert "client_secret_basic" in discovery["token_endpoint_auth_methods_supported"]
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "code" in discovery["response_types_supported"]
    assert {"authorization_code", "refresh_token"} <= set(discovery["grant_types_supported"])


def test_discovery_advertises_the_portal_scopes_and_claims(discovery):
    assert {"openid", "profile", "phone", "id_number"} <= set(discovery["scopes_supported"])
    assert {"sub", "name", "realname_level", "phone_number", "id_number"} <= set(
        discovery["claims_supported"]
    )


def test_client_model_is_registered_in_the_admin_site():
    model_admin = admin.site._registry.get(Client)
    assert model_admin is not None
    # The administrator never sees or types a stored secret; it is generated on save.
    assert "secret" in model_admin.readonly_fields


def test_administrator_registers_a_department_system_in_the_admin(discovery, browser):
    """The real admin add form: the secret is generated on save and shown exactly once."""
    admin_user = make_staff(StaffRole.SYSTEM_ADMIN)
    totp_secret = activate_totp(admin_user)
    staff_browser = HttpClient()
    staff_browser.post("/accounts/login/", {"login": admin_user.email, "password": PASSWORD})
    staff_browser.post(
        "/accounts/2fa/authenticate/",
        {"code": totp_code(totp_secret)},
    )
    add_url = "/admin/allauth_idp_oidc/client/add/"
    page = staff_browser.get(add_url)
    assert page.status_code == 200
    client_id = re.search(r'name="id" value="([0-9a-f]+)"', page.content.decode()).group(1)

    response = staff_browser.post(
        add_url,
        {
            "id": client_id,
            "name": "不动产登记中心",
            "type": "confidential",
            "scopes": "\r\n".join(CLIENT_SCOPES),
            "default_scopes": "",
            "grant_types": "authorization_code\r\nrefresh_token",
            "response_types": "code",
            "redirect_uris": REDIRECT_URI,
            "cors_origins": "",
            "owner": "",
            "data": "",
            "_save": "保存",
        },
        follow=True,
    )

    assert response.status_code == 200
    shown = [m.message for m in response.context["messages"]]
    secret = html.unescape(re.search(r'value="([^"]+)"', " ".join(shown)).group(1))
    stored = Client.objects.get(pk=client_id)
    assert stored.name == "不动产登记中心"
    assert secret not in stored.secret and stored.check_secret(secret)
    # RP libraries form-urlencode the secret for client_secret_basic; it must survive that.
    assert quote_plus(secret) == secret
    # The department can now sign citizens in with what the administrator handed over.
    rp = DepartmentSystem(client_id, secret, REDIRECT_URI, discovery)
    _, tokens = tokens_for(browser, rp)
    assert tokens["id_token"]
    # Shown once: the client's admin page afterwards holds only the hash.
    change = staff_browser.get(f"/admin/allauth_idp_oidc/client/{client_id}/change/")
    assert change.status_code == 200
    assert secret not in change.content.decode()
    assert html.escape(secret) not in change.content.decode()


# --- Authorization code with PKCE ----------------------------------------------------------


def test_signed_out_visitor_is_sent_to_sign_in_before_consent(rp):
    _, challenge = pkce_pair()
    url = rp.authorization_url(scope=BASIC_SCOPE, state="s", nonce="n", challenge=challenge)
    response = HttpClient().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_consent_page_names_the_department_system_and_the_requested_data(browser, rp):
    _, challenge = pkce_pair()
    page = browser.get(
        rp.authorization_url(
            scope="openid profile id_number", state="s", nonce="n", challenge=challenge
        )
    )
    text = page.content.decode()
    assert "住房公积金管理中心" in text
    assert "居民身份号码" in text
    assert "您的姓名和实名认证等级" in text


def test_cancelling_consent_returns_access_denied_with_the_state(browser, rp):
    _, challenge = pkce_pair()
    page = browser.get(
        rp.authorization_url(scope=BASIC_SCOPE, state="keep-me", nonce="n", challenge=challenge)
    )
    form = parse_form(page.content.decode(), path_of(rp.config["authorization_endpoint"]))
    response = browser.post(form.action, form.submission(("action", "cancel")))
    assert response.status_code == 302
    assert query_of(response["Location"]) == {"error": "access_denied", "state": "keep-me"}


def test_unregistered_redirect_uri_is_never_redirected_to(browser, rp):
    _, challenge = pkce_pair()
    url = rp.authorization_url(scope=BASIC_SCOPE, state="s", nonce="n", challenge=challenge)
    response = browser.get(url.replace("gjj.example.gov.cn", "evil.example.com"))
    assert response.status_code == 400  # an error page on the portal, not a redirect
    assert not response.has_header("Location")
    assert 'name="request"' not in response.content.decode()  # and no consent form


def test_code_exchange_issues_bearer_tokens(browser, rp):
    _, tokens = tokens_for(browser, rp)
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"] and tokens["refresh_token"] and tokens["id_token"]
    assert tokens["expires_in"] > 0
    assert set(tokens["scope"].split()) == set(BASIC_SCOPE.split())


def test_code_exchange_with_the_wrong_code_verifier_is_refused(browser, rp):
    grant = consent(browser, rp, BASIC_SCOPE)
    wrong_verifier, _ = pkce_pair()
    response = rp.exchange_code(grant.code, wrong_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "access_token" not in response.json()


def test_code_exchange_without_a_code_verifier_is_refused(browser, rp):
    grant = consent(browser, rp, BASIC_SCOPE)
    response = rp.token_request(
        {"grant_type": "authorization_code", "code": grant.code, "redirect_uri": rp.redirect_uri}
    )
    assert response.status_code == 400
    assert "access_token" not in response.json()


def test_code_exchange_with_a_wrong_client_secret_is_refused(browser, rp):
    grant = consent(browser, rp, BASIC_SCOPE)
    response = rp.token_request(
        {
            "grant_type": "authorization_code",
            "code": grant.code,
            "redirect_uri": rp.redirect_uri,
            "code_verifier": grant.verifier,
        },
        secret="not-the-secret",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_code_can_be_exchanged_only_once_and_reuse_revokes_its_tokens(
    browser, rp, django_capture_on_commit_callbacks
):
    grant = consent(browser, rp, BASIC_SCOPE)
    first = rp.exchange_code(grant.code, grant.verifier)
    assert first.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the revocation runs on commit
        second = rp.exchange_code(grant.code, grant.verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    # RFC 6749 10.5: a replayed code means it leaked, so what it bought is withdrawn.
    assert rp.userinfo(first.json()["access_token"]).status_code == 401


# --- The ID token --------------------------------------------------------------------------


def test_id_token_signature_verifies_against_published_jwks(browser, rp, person):
    grant, tokens = tokens_for(browser, rp)
    claims = rp.verify_id_token(tokens["id_token"], nonce=grant.nonce)
    assert claims["iss"] == ISSUER
    assert claims["aud"] == rp.client_id
    assert claims["exp"] > time.time()
    assert claims["sub"] == str(person.user.pk)


def test_tampered_id_token_fails_verification(browser, rp):
    grant, tokens = tokens_for(browser, rp)
    header, payload, signature = tokens["id_token"].split(".")
    forged = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"nonce"', b'"nonce" ')
    ).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        rp.verify_id_token(f"{header}.{forged}.{signature}", nonce=grant.nonce)


def test_id_token_carries_legal_name_and_real_name_level(browser, rp, person):
    grant, tokens = tokens_for(browser, rp)
    claims = rp.verify_id_token(tokens["id_token"], nonce=grant.nonce)
    assert claims["name"] == "王建国"
    assert claims["realname_level"] == "window"


def test_the_phone_number_is_kept_out_of_the_id_token(browser, rp, person):
    # Like the ID number: ID tokens pass through browsers and logs, and OpenID Connect Core 5.4
    # returns the phone scope's claims from userinfo when an access token is issued.
    grant, tokens = tokens_for(browser, rp, "openid phone")
    claims = rp.verify_id_token(tokens["id_token"], nonce=grant.nonce)
    assert "phone_number" not in claims
    assert person.user.phone not in str(claims)
    assert release_audits(person) == []


def test_with_the_phone_scope_userinfo_releases_the_number_and_audits_it(browser, rp, person):
    _, tokens = tokens_for(browser, rp, "openid phone")

    info = rp.userinfo(tokens["access_token"]).json()

    assert info["phone_number"] == person.user.phone
    assert info["phone_number_verified"] is True
    (audit,) = release_audits(person)
    assert audit.fields == ["phone_number"]
    assert audit.actor is None
    assert audit.detail == {"client_id": rp.client_id}
    assert "住房公积金管理中心" in audit.reason
    assert person.user.phone not in f"{audit.reason} {audit.detail}"


def test_without_the_phone_scope_no_phone_is_released_or_audited(browser, rp, person):
    _, tokens = tokens_for(browser, rp, "openid profile")
    info = rp.userinfo(tokens["access_token"]).json()
    assert "phone_number" not in info
    assert release_audits(person) == []


def test_an_account_without_a_phone_releases_and_audits_nothing(browser, rp, person):
    type(person.user).objects.filter(pk=person.user.pk).update(phone=None, phone_verified=False)
    _, tokens = tokens_for(browser, rp, "openid phone")
    assert "phone_number" not in rp.userinfo(tokens["access_token"]).json()
    assert release_audits(person) == []


def test_one_release_of_both_numbers_is_one_audit_row(browser, rp, person):
    _, tokens = tokens_for(browser, rp, "openid phone id_number")
    rp.userinfo(tokens["access_token"])
    (audit,) = release_audits(person)
    assert audit.fields == ["id_number", "phone_number"]


def test_without_the_id_number_scope_no_id_number_is_released_or_audited(browser, rp, person):
    grant, tokens = tokens_for(browser, rp)
    claims = rp.verify_id_token(tokens["id_token"], nonce=grant.nonce)
    assert "id_number" not in claims
    assert "id_number" not in rp.userinfo(tokens["access_token"]).json()
    assert id_number_audits(person) == []


def test_with_the_id_number_scope_userinfo_releases_the_number_and_audits_it(browser, rp, person):
    _, tokens = tokens_for(browser, rp, "openid profile id_number")
    assert "id_number" in tokens["scope"].split()

    info = rp.userinfo(tokens["access_token"]).json()

    assert info["id_number"] == person.reveal_id_number()
    audits = id_number_audits(person)
    assert len(audits) == 1
    assert audits[0].fields == ["id_number"]
    assert audits[0].actor is None
    assert audits[0].detail == {"client_id": rp.client_id}
    assert "住房公积金管理中心" in audits[0].reason
    assert person.reveal_id_number() not in f"{audits[0].reason} {audits[0].detail}"
    # Every release is a new read of the number and is logged again.
    rp.userinfo(tokens["access_token"])
    assert len(id_number_audits(person)) == 2


def test_the_id_number_is_kept_out_of_the_id_token(browser, rp, person):
    # ID tokens travel through browsers (e.g. as id_token_hint in logout URLs) and are
    # signed, not encrypted: the clear number must only come from the userinfo endpoint.
    grant, tokens = tokens_for(browser, rp, "openid profile id_number")
    claims = rp.verify_id_token(tokens["id_token"], nonce=grant.nonce)
    assert "id_number" not in claims
    assert id_number_audits(person) == []


def test_citizen_can_untick_the_id_number_on_the_consent_page(browser, rp, person):
    _, tokens = tokens_for(browser, rp, "openid profile id_number", granted=["openid", "profile"])
    assert "id_number" not in tokens["scope"].split()
    info = rp.userinfo(tokens["access_token"]).json()
    assert info["name"] == "王建国"
    assert "id_number" not in info
    assert id_number_audits(person) == []


def test_client_cannot_request_a_scope_it_was_not_registered_for(browser, discovery):
    client, secret = register_department_system("不可读号码的系统")
    client.set_scopes(["openid", "profile"])
    client.save()
    rp = DepartmentSystem(client.id, secret, REDIRECT_URI, discovery)
    _, challenge = pkce_pair()
    response = browser.get(
        rp.authorization_url(scope="openid id_number", state="s", nonce="n", challenge=challenge)
    )
    assert response.status_code == 302
    assert query_of(response["Location"])["error"] == "invalid_scope"


# --- Userinfo and the REST API -------------------------------------------------------------


def test_userinfo_returns_the_claims_for_the_access_token(browser, rp, person):
    _, tokens = tokens_for(browser, rp)
    response = rp.userinfo(tokens["access_token"])
    assert response.status_code == 200
    info = response.json()
    assert info["sub"] == str(person.user.pk)
    assert info["name"] == "王建国"
    assert info["realname_level"] == "window"
    assert info["phone_number"] == person.user.phone


def test_userinfo_refuses_a_request_without_a_valid_token(rp):
    assert rp.userinfo("not-a-token").status_code == 401
    assert rp.backend.get(path_of(rp.config["userinfo_endpoint"])).status_code == 401


def test_api_accepts_the_access_token_and_returns_masked_personal_data(browser, rp, person):
    _, tokens = tokens_for(browser, rp)
    response = rp.backend.get("/api/v1/me/", **bearer(tokens["access_token"]))
    assert response.status_code == 200, response.content
    me = response.json()
    assert me["id"] == person.user.pk
    assert me["person"]["id_number_masked"] == person.id_number_masked
    assert person.reveal_id_number() not in response.content.decode()
    assert me["phone"] == person.user.masked_phone
    assert person.user.phone not in response.content.decode()


def test_api_refuses_an_id_token_presented_as_a_bearer_token(browser, rp):
    _, tokens = tokens_for(browser, rp)
    response = rp.backend.get("/api/v1/me/", **bearer(tokens["id_token"]))
    assert response.status_code in (401, 403)


# The API refuses tokens without the scope a view needs; writes are for the citizen's own
# browser session only; a bad bearer token is a 401 with a challenge so clients refresh.
def test_api_refuses_a_token_granted_without_the_profile_scope(browser, rp):
    _, tokens = tokens_for(browser, rp, "openid")
    response = rp.backend.get("/api/v1/me/", **bearer(tokens["access_token"]))
    assert response.status_code == 403


def test_department_token_cannot_register_an_organisation_for_the_citizen(browser, rp):
    _, tokens = tokens_for(browser, rp)
    response = rp.backend.post(
        "/api/v1/organisations/",
        {"uscc": make_uscc(), "name": "某公司"},
        **bearer(tokens["access_token"]),
    )
    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_api_answers_a_bad_bearer_token_with_401_and_a_bearer_challenge(rp):
    response = rp.backend.get("/api/v1/me/", **bearer("expired-or-revoked"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Refresh, revocation and logout --------------------------------------------------------


def test_refresh_token_buys_a_new_access_token_and_the_old_one_is_then_refused(browser, rp):
    _, tokens = tokens_for(browser, rp)
    response = rp.refresh(tokens["refresh_token"])
    assert response.status_code == 200, response.content
    renewed = response.json()
    assert renewed["access_token"] != tokens["access_token"]
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert rp.userinfo(renewed["access_token"]).status_code == 200

    replay = rp.refresh(tokens["refresh_token"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert rp.refresh(renewed["refresh_token"]).status_code == 200


def test_revoked_access_token_is_refused_by_userinfo(browser, rp):
    _, tokens = tokens_for(browser, rp)
    assert rp.userinfo(tokens["access_token"]).status_code == 200
    response = rp.revoke(tokens["access_token"], "access_token")
    assert response.status_code == 200
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert rp.backend.get("/api/v1/me/", **bearer(tokens["access_token"])).status_code in (401, 403)


def test_revoked_refresh_token_cannot_be_used(browser, rp):
    _, tokens = tokens_for(browser, rp)
    assert rp.revoke(tokens["refresh_token"], "refresh_token").status_code == 200
    assert rp.refresh(tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_rp_initiated_logout_signs_the_citizen_out_of_the_portal(browser, rp):
    _, tokens = tokens_for(browser, rp)
    assert browser.get("/profile/").status_code == 200
    logout = path_of(rp.config["end_session_endpoint"])
    query = {
        "id_token_hint": tokens["id_token"],
        "post_logout_redirect_uri": "https://gjj.example.gov.cn/signed-out",
        "state": "bye",
    }
    page = browser.get(logout, query)
    assert page.status_code == 200  # the portal asks before ending its own session
    assert SESSION_KEY in browser.session
    form = parse_form(page.content.decode(), logout)
    response = browser.post(form.action, form.submission(("action", "logout")))
    assert response.status_code == 302
    assert response["Location"] == "https://gjj.example.gov.cn/signed-out?state=bye"
    assert SESSION_KEY not in browser.session
    assert browser.get("/profile/").status_code == 302
    # The department's tokens for this citizen end with the session.
    assert rp.userinfo(tokens["access_token"]).status_code == 401
    assert rp.refresh(tokens["refresh_token"]).status_code == 400


def test_choosing_to_stay_signed_in_keeps_the_portal_session(browser, rp):
    _, tokens = tokens_for(browser, rp)
    page = browser.get(
        path_of(rp.config["end_session_endpoint"]), {"id_token_hint": tokens["id_token"]}
    )
    form = parse_form(page.content.decode(), path_of(rp.config["end_session_endpoint"]))
    response = browser.post(form.action, form.submission(("action", "stay")))
    assert response.status_code == 302
    assert SESSION_KEY in browser.session
    assert browser.get("/profile/").status_code == 200
    # The department asked to end its own session: its tokens go either way.
    assert rp.userinfo(tokens["access_token"]).status_code == 401

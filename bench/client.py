"""HTTP set-up through the real site: sign in, fetch a CSRF pair, check each endpoint once."""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

from bench.accounts import BenchAccount, form_quote
from bench.spec import Endpoint

LOGIN_PATH = "/accounts/login/"
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SetupError(RuntimeError):
    pass


def csrf_pair(base_url: str) -> tuple[str, str]:
    """An anonymous csrftoken cookie and a form token that matches it."""
    session = requests.Session()
    response = session.get(base_url + LOGIN_PATH, timeout=10)
    response.raise_for_status()
    match = _CSRF_INPUT.search(response.text)
    cookie = session.cookies.get("csrftoken")
    if not match or not cookie:
        raise SetupError(f"no CSRF cookie or form token on {LOGIN_PATH}")
    return cookie, match.group(1)


def login_session(base_url: str, account: BenchAccount) -> str:
    """Sign in through the allauth form, as a browser would; return the session cookie."""
    session = requests.Session()
    page = session.get(base_url + LOGIN_PATH, timeout=10)
    page.raise_for_status()
    match = _CSRF_INPUT.search(page.text)
    if not match:
        raise SetupError(f"no CSRF form token on {LOGIN_PATH}")
    response = session.post(
        base_url + LOGIN_PATH,
        data={
            "csrfmiddlewaretoken": match.group(1),
            "login": account.login,
            "password": account.password,
        },
        allow_redirects=False,
        timeout=30,
    )
    cookie = session.cookies.get("sessionid")
    if response.status_code != 302 or not cookie:
        raise SetupError(
            f"signing in as {account.login} failed: HTTP {response.status_code}, "
            f"session cookie {'set' if cookie else 'missing'}"
        )
    return cookie


@dataclass(frozen=True)
class Context:
    """What endpoint templates are filled from (see bench/endpoints.py)."""

    values: dict[str, str]
    pool: list[BenchAccount]  # the accounts a ``rotate_accounts`` endpoint cycles through


@dataclass(frozen=True)
class Rendered:
    bodies: list[str]  # one, or one per pool account for a ``rotate_accounts`` endpoint
    headers: dict[str, str]


def context(base_url: str, citizen: BenchAccount, pool: list[BenchAccount]) -> Context:
    """Sign the citizen in and fetch an anonymous CSRF pair."""
    csrf_cookie, csrf_token = csrf_pair(base_url)
    values = {
        "base_url": base_url,
        "login": form_quote(citizen.login),
        "password": form_quote(citizen.password),
        "csrf_cookie": csrf_cookie,
        "csrf_token": form_quote(csrf_token),
        "session_cookie": login_session(base_url, citizen),
    }
    return Context(values=values, pool=pool)


def render(endpoint: Endpoint, ctx: Context) -> Rendered:
    """The endpoint's bodies and headers with the context filled in and cookies joined."""
    if endpoint.rotate_accounts:
        bodies = [
            endpoint.body.format_map(
                {**ctx.values, "login": form_quote(a.login), "password": form_quote(a.password)}
            )
            for a in ctx.pool
        ]
    else:
        bodies = [endpoint.body.format_map(ctx.values)]
    headers = {name: value.format_map(ctx.values) for name, value in endpoint.headers.items()}
    if endpoint.needs_login:
        cookie = f"sessionid={ctx.values['session_cookie']}"
        headers["Cookie"] = f"{headers['Cookie']}; {cookie}" if "Cookie" in headers else cookie
    return Rendered(bodies=bodies, headers=headers)


def preflight(base_url: str, endpoint: Endpoint, rendered: Rendered) -> None:
    """One request exactly as wrk will send it; the status must be the expected one."""
    body = rendered.bodies[0]
    sent_headers = dict(rendered.headers)
    if body and "Content-Type" not in sent_headers:
        sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = requests.request(
        endpoint.method,
        base_url + endpoint.path,
        data=body.encode() if body else None,
        headers=sent_headers,
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != endpoint.expect_status:
        location = response.headers.get("Location", "")
        raise SetupError(
            f"{endpoint.name}: {endpoint.request_label} answered HTTP {response.status_code}"
            f"{' → ' + location if location else ''}, expected {endpoint.expect_status}"
        )

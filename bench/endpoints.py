"""The endpoints measured, as data. To measure a new page, append an ``Endpoint``.

``body`` and header values are ``str.format`` templates filled from the run's context (all
values already URL-encoded where they go into a form body):

* ``{login}``, ``{password}``: the bench citizen's credentials;
* ``{csrf_cookie}``, ``{csrf_token}``: an anonymous CSRF cookie and a matching form token;
* ``{session_cookie}``: the bench citizen's session; ``{base_url}``: the server's address.

``needs_login`` adds the bench citizen's session cookie. ``rotate_accounts`` renders the body
once per account of the sign-in pool (``{login}``/``{password}`` of each) and has wrk cycle
through them (bench/lua/rotate.lua); the pool's sessions are cleared before each run.
Literal braces must be doubled.
"""

from __future__ import annotations

from bench.applications import SIGNED_IN_WRITE_ENDPOINT, SUBMIT_ENDPOINT
from bench.certificates import CERTIFICATE_ENDPOINTS
from bench.config import ConfigError
from bench.reservations import RESERVATION_ENDPOINTS
from bench.spec import Endpoint, Floor

FLOORS: dict[Floor, str] = {"ping": "ping", "insert": "insert"}  # floor -> endpoint name

ENDPOINTS: list[Endpoint] = [
    Endpoint(FLOORS["ping"], "/bench/ping"),
    Endpoint(
        FLOORS["insert"], "/bench/insert", method="POST", body="note=bench", expect_status=201
    ),
    Endpoint("home", "/", floor="ping"),
    Endpoint("profile", "/profile/", floor="ping", needs_login=True),
    Endpoint(
        "login",
        "/accounts/login/",
        method="POST",
        body="csrfmiddlewaretoken={csrf_token}&login={login}&password={password}",
        headers={"Cookie": "csrftoken={csrf_cookie}"},
        floor="insert",
        rotate_accounts=True,
        expect_status=302,
    ),
]

# Each app's endpoints live beside its other benchmarks.
ENDPOINTS.extend(CERTIFICATE_ENDPOINTS)
ENDPOINTS.append(SUBMIT_ENDPOINT)
ENDPOINTS.append(SIGNED_IN_WRITE_ENDPOINT)
ENDPOINTS.extend(RESERVATION_ENDPOINTS)

# In-process measurements reported in the same table, compared with the ping floor's CPU.
PASSWORD_CHECK = "password-check"  # noqa: S105 (a name, not a password)


def select(names: list[str]) -> list[Endpoint]:
    """The endpoints to run: all, or the named ones. Both floors are always measured."""
    if not names:
        return list(ENDPOINTS)
    known = {e.name for e in ENDPOINTS} | {PASSWORD_CHECK}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ConfigError(f"unknown endpoint(s) {unknown}; known: {sorted(known)}")
    return [e for e in ENDPOINTS if e.is_floor or e.name in names]

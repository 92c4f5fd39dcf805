"""Slows password guessing without letting a stranger lock the holder out (ADR 0009).

Counters live in the cache, keyed by a keyed hash of the login typed (so an unknown account is
limited exactly like a known one) and of the source: the client's address (an IPv6 /64), or the
holder's device cookie when the browser carries one for that account.

- Per account and source: ``LOGIN_FAILED_LIMIT`` free failures, then each failure starts a wait
  that doubles, capped. While it waits the source's password is refused unchecked.
- Per account, across sources: failures from sources not yet made to wait count toward
  ``LOGIN_FAILED_ACCOUNT_CEILING``; past it, a password alone is refused unchecked from any browser
  without the account's device cookie until the window ends. The holder signs in with an SMS code
  or from his own browser. One address contributes at most ``LOGIN_FAILED_LIMIT`` failures, so
  one stranger alone never reaches the ceiling.
- The device cookie (OWASP "device cookies") is signed, issued on every completed sign-in and
  names the accounts signed in on that browser.

An attempt is counted before the password is checked and given back on success, so concurrent
requests cannot slip extra guesses past a limit.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.identity import blind_index

_DEVICE_SALT = "portal.signin_guard.device"
_DEVICE_ACCOUNTS_KEPT = 10  # login hashes: a phone and an e-mail for each of a few accounts
_HASH_LENGTH = 32


@dataclass(frozen=True)
class Attempt:
    """A password attempt let through by `admit`; `failed`, `succeeded` or `release` settles it."""

    account: str
    source: str
    from_device: bool
    number: int  # among the failures this source has for this account, this attempt included
    counted: bool  # counted toward the account-wide ceiling


def account_key(login: str) -> str:
    """The hash that names an account (the login as typed, normalised) in counters and cookies."""
    return blind_index(login.strip().lower(), purpose="signin")[:_HASH_LENGTH]


def admit(request: HttpRequest, *, login: str, client_ip: str) -> Attempt:
    """Count a password attempt before its password is checked, or refuse it unchecked.

    Raises a ValidationError saying what to do and how long to wait.
    """
    account = account_key(login)
    device = _device_cookie(request)
    from_device = device is not None and account in device[1]
    source = f"device:{device[0]}" if device and from_device else f"ip:{_network(client_ip)}"
    source = blind_index(source, purpose="signin-source")[:_HASH_LENGTH]
    now = time.time()

    number = _incr(_pair_key(account, source), settings.LOGIN_FAILED_MEMORY_SECONDS)
    if number > settings.LOGIN_FAILED_LIMIT:
        hold = cache.get(_wait_key(account, source))
        if hold is not None:
            until, after = hold
            # `after + 1`: only the first attempt once a wait is over; concurrent ones wait too.
            if now < until or number != after + 1:
                _decr(_pair_key(account, source))
                raise source_refusal(max(until - now, 1), from_device=from_device)

    counted = False
    if not from_device:
        window = settings.LOGIN_FAILED_ACCOUNT_WINDOW_SECONDS
        total_key = _total_key(account)
        if number <= settings.LOGIN_FAILED_LIMIT:
            cache.add(_since_key(account), now, window)
            counted = True
            if _incr(total_key, window) > settings.LOGIN_FAILED_ACCOUNT_CEILING:
                _decr(total_key)
                _decr(_pair_key(account, source))
                raise _account_refusal(account, now)
        elif (cache.get(total_key) or 0) >= settings.LOGIN_FAILED_ACCOUNT_CEILING:
            _decr(_pair_key(account, source))
            raise _account_refusal(account, now)
    return Attempt(account, source, from_device, number, counted)


def failed(attempt: Attempt) -> None:
    """Keep the failure; once past the free ones, start the source's wait and raise it."""
    memory = settings.LOGIN_FAILED_MEMORY_SECONDS
    cache.touch(_pair_key(attempt.account, attempt.source), memory)
    beyond = attempt.number - settings.LOGIN_FAILED_LIMIT
    if beyond < 0:
        return
    wait = min(
        settings.LOGIN_FAILED_FIRST_WAIT_SECONDS * 2 ** min(beyond, 30),
        settings.LOGIN_FAILED_MAX_WAIT_SECONDS,
    )
    cache.set(
        _wait_key(attempt.account, attempt.source), (time.time() + wait, attempt.number), memory
    )
    raise source_refusal(wait, from_device=attempt.from_device)


def succeeded(attempt: Attempt) -> None:
    """The right password: forget this source's failures and give back the account count."""
    cache.delete_many(
        [_pair_key(attempt.account, attempt.source), _wait_key(attempt.account, attempt.source)]
    )
    if attempt.counted:
        _decr(_total_key(attempt.account))


def release(attempt: Attempt) -> None:
    """Another limit refused the attempt after `admit`: give back what it counted."""
    _decr(_pair_key(attempt.account, attempt.source))
    if attempt.counted:
        _decr(_total_key(attempt.account))


def lift_account_ceiling(logins: Iterable[str | None]) -> None:
    """The holder proved control (a new password): guesses at the old one no longer matter."""
    for login in filter(None, logins):
        account = account_key(login)
        cache.delete_many([_total_key(account), _since_key(account)])


def remember_device(
    request: HttpRequest, response: HttpResponseBase, logins: Iterable[str | None]
) -> None:
    """Issue or refresh the device cookie after a completed sign-in, naming this account."""
    device = _device_cookie(request)
    nonce, known = device if device else (secrets.token_urlsafe(16), [])
    accounts = [account_key(login) for login in logins if login]
    accounts += [a for a in known if a not in accounts]
    response.set_cookie(
        settings.LOGIN_DEVICE_COOKIE_NAME,
        signing.dumps({"n": nonce, "a": accounts[:_DEVICE_ACCOUNTS_KEPT]}, salt=_DEVICE_SALT),
        max_age=settings.LOGIN_DEVICE_COOKIE_AGE_SECONDS,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _device_cookie(request: HttpRequest) -> tuple[str, list[str]] | None:
    raw = request.COOKIES.get(settings.LOGIN_DEVICE_COOKIE_NAME)
    if not raw:
        return None
    try:
        data = signing.loads(
            raw, salt=_DEVICE_SALT, max_age=settings.LOGIN_DEVICE_COOKIE_AGE_SECONDS
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    nonce, accounts = data.get("n"), data.get("a")
    if not isinstance(nonce, str) or not isinstance(accounts, list):
        return None
    return nonce, [a for a in accounts if isinstance(a, str)]


def _network(ip: str) -> str:
    # One IPv6 client commonly holds a whole /64: count it as one address.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _pair_key(account: str, source: str) -> str:
    return f"signin:failures:{account}:{source}"


def _wait_key(account: str, source: str) -> str:
    return f"signin:wait:{account}:{source}"


def _total_key(account: str) -> str:
    return f"signin:account:{account}"


def _since_key(account: str) -> str:
    return f"signin:account-since:{account}"


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _decr(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


def source_refusal(wait: float, *, from_device: bool = False) -> ValidationError:
    """Refusal while this network (or this device) waits."""
    if from_device:
        message = _(
            "Too many failed sign-in attempts from this device. Try again in %(wait)s, "
            "or sign in with a code sent to your phone."
        )
    else:
        message = _(
            "Too many failed sign-in attempts from this network. Try again in %(wait)s, "
            "or sign in with a code sent to your phone."
        )
    return ValidationError(message % {"wait": wait_text(wait)}, code="too_many_login_attempts")


def _account_refusal(account: str, now: float) -> ValidationError:
    since = cache.get(_since_key(account), now)
    wait = max(since + settings.LOGIN_FAILED_ACCOUNT_WINDOW_SECONDS - now, 1)
    return ValidationError(
        _(
            "This account has had too many failed sign-in attempts from several networks. "
            "To protect it, a password alone is not enough on a new device for now: sign in "
            "with a code sent to your phone, or on a device you signed in on before. "
            "Passwords work again on new devices in %(wait)s."
        )
        % {"wait": wait_text(wait)},
        code="too_many_login_attempts",
    )


def wait_text(seconds: float) -> str:
    """45 seconds, 4 minutes (up to 60), then hours; always rounded up."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return ngettext("%(count)d second", "%(count)d seconds", whole) % {"count": whole}
    minutes = math.ceil(whole / 60)
    if minutes <= 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = math.ceil(whole / 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}

"""The accounts the benchmark signs in with, in the benchmark database (run in-process).

* The bench citizen (verified mobile, self-declared real name) owns the session cookie the
  signed-in pages are measured with.
* A pool of sign-in accounts for the login benchmark. Each sign-in makes allauth walk all of
  the account's existing sessions (``UserSession.objects.purge_and_list``: two queries per
  session), so signing one account in thousands of times would make every sign-in slower
  than the last. The login benchmark rotates through the pool, and the pool's sessions are
  cleared before each run, so each account holds a realistic one or two sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

BENCH_EMAIL = "bench@bench.onewindow"
BENCH_PHONE = "+8613800009999"
BENCH_LEGAL_NAME = "测试员"
PASSWORD = "OneWindow-Bench-2026"  # noqa: S105 (throwaway accounts in a throwaway database)
POOL_SIZE = 32
POOL_EMAIL = "bench-login-{:02d}@bench.onewindow"
POOL_PHONE = "+86138000100{:02d}"


@dataclass(frozen=True)
class BenchAccount:
    login: str
    password: str


def form_quote(value: str) -> str:
    return quote(value, safe="")


def _account(email: str, phone: str, password_hash: str) -> int:
    from allauth.account.models import EmailAddress

    from portal.models import User

    user, _created = User.objects.get_or_create(email=email)
    # Like every real account: a verified mobile number (allauth's sign-in flow expects one).
    user.phone, user.phone_verified, user.is_active = phone, True, True
    user.password = password_hash
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return int(user.pk)


def clear_sessions(emails: list[str]) -> None:
    """Sign the accounts out everywhere: their sessions and allauth's records of them."""
    from allauth.usersessions.models import UserSession
    from django.contrib.sessions.models import Session

    old = UserSession.objects.filter(user__email__in=emails)
    Session.objects.filter(session_key__in=old.values("session_key")).delete()
    old.delete()


def ensure_bench_citizen() -> BenchAccount:
    """The citizen whose session the signed-in pages use; earlier runs' sessions dropped."""
    from django.contrib.auth.hashers import make_password

    from portal import realname
    from portal.demo import person_id_number
    from portal.models import PersonProfile

    pk = _account(BENCH_EMAIL, BENCH_PHONE, make_password(PASSWORD))
    if not PersonProfile.objects.filter(user_id=pk).exclude(id_number_encrypted="").exists():
        from portal.models import User

        realname.declare(
            User.objects.get(pk=pk),
            legal_name=BENCH_LEGAL_NAME,
            id_number=person_id_number("440106", "19950615", "731"),
        )
    clear_sessions([BENCH_EMAIL])
    return BenchAccount(login=BENCH_EMAIL, password=PASSWORD)


def ensure_login_pool(size: int = POOL_SIZE) -> list[BenchAccount]:
    """``size`` accounts sharing one password (hashed once, as the site hashes passwords)."""
    from django.contrib.auth.hashers import make_password

    password_hash = make_password(PASSWORD)
    accounts = []
    for number in range(size):
        email = POOL_EMAIL.format(number)
        _account(email, POOL_PHONE.format(number), password_hash)
        accounts.append(BenchAccount(login=email, password=PASSWORD))
    clear_sessions([a.login for a in accounts])
    return accounts

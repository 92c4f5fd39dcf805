"""The window desk: who may work at it, and the citizen a clerk has just looked up.

The look-up by resident ID number, or by the account's verified mobile number or e-mail, is an
audited read of the citizen's personal data. The
citizen found stays in the clerk's session for the next steps (verify him, confirm his
organisation, take in his application), which act only on that account and only while it
still holds the number looked up. Any app's clerk pages read him through ``identified``.
"""

from __future__ import annotations

import time

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from portal import identity, realname, roles
from portal.auth import signed_in_user
from portal.models import PersonProfile, StaffRole, User

IDENTIFIED_SESSION_KEY = "portal_identified_person"
IDENTIFIED_FOR_SECONDS = 30 * 60


def require_staff(request: HttpRequest) -> User:
    """The signed-in staff member, or 403."""
    user = signed_in_user(request)
    if not roles.is_staff_member(user):
        raise PermissionDenied(_("This page is for staff only."))
    return user


def require_clerk(request: HttpRequest, message: str) -> User:
    """The signed-in window clerk, or 403 with ``message``."""
    user = require_staff(request)
    if not roles.has_role(user, StaffRole.CLERK):
        raise PermissionDenied(message)
    return user


def look_up(
    request: HttpRequest, id_number: str, *, by: User, reason: str
) -> tuple[PersonProfile | None, str]:
    """Find the citizen by ID number (an audited read) and keep him on the clerk's desk.

    Returns (the person or None, a warning for the clerk or ""). Raises ValidationError for a
    number that cannot be valid.
    """
    person = realname.find_person(id_number, by=by, reason=reason, request=request)
    remember(request, person)
    return person, identity.id_number_area_warning(id_number) or ""


def look_up_account(
    request: HttpRequest, account: str, *, by: User, reason: str
) -> tuple[User | None, PersonProfile | None]:
    """Find the citizen by his account's verified mobile number or e-mail (an audited read)
    and keep him on the clerk's desk if he has declared his real name.

    Returns (the account or None, its real-name profile or None). Raises ValidationError for
    input that is neither a mobile number nor an e-mail address."""
    user, person = realname.find_person_by_account(account, by=by, reason=reason, request=request)
    remember(request, person)
    return user, person


def remember(request: HttpRequest, person: PersonProfile | None) -> None:
    """Keep ``person`` on the desk (None clears it)."""
    if person is None:
        forget(request)
    else:
        request.session[IDENTIFIED_SESSION_KEY] = {
            "pk": person.pk,
            "index": person.id_number_index,  # a keyed hash, not the number
            "at": int(time.time()),
        }


def forget(request: HttpRequest) -> None:
    request.session.pop(IDENTIFIED_SESSION_KEY, None)


def identified(request: HttpRequest, pk: int | None = None) -> PersonProfile | None:
    """The person this clerk looked up, if recent and still holding the number looked up
    (and, given ``pk``, only if it is that person)."""
    remembered = request.session.get(IDENTIFIED_SESSION_KEY)
    if not remembered or time.time() - remembered["at"] > IDENTIFIED_FOR_SECONDS:
        forget(request)
        return None
    person = (
        PersonProfile.objects.select_related("user")
        .filter(pk=remembered["pk"], id_number_index=remembered["index"])
        .first()
    )
    if person is None:
        forget(request)
        return None
    return person if pk is None or person.pk == pk else None


def identified_index(request: HttpRequest) -> str | None:
    """The blind index of the number looked up (to check it is still the account's)."""
    remembered = request.session.get(IDENTIFIED_SESSION_KEY)
    return remembered["index"] if remembered else None

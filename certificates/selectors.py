"""Reads: whose certificates, what a holder sees, which grants a reviewer may use."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from certificates.models import (
    Certificate,
    CertificateGrant,
    CertificateShare,
    CertificateStatus,
    CertificateType,
    CertificateUse,
    HolderCodeType,
    ShareScan,
)
from portal import identity, organisations, roles
from portal.db import rows
from portal.models import (
    Department,
    Organisation,
    PersonProfile,
    RealNameLevel,
    StaffRole,
    User,
)

VERIFIED_LEVELS = (RealNameLevel.WINDOW, RealNameLevel.E_CERTIFICATE)


def _holder_index(code: str) -> str:
    return identity.blind_index(code, purpose="holder_code")


def _person_codes(user: User) -> list[tuple[str, str]]:
    if not user.is_active:
        return []
    # A fixed statement (portal.db.rows): every certificate check of a request starts here.
    found = rows.fetch(_verified_id_sql(), [user.pk, *(level.value for level in VERIFIED_LEVELS)])
    if not found or not found[0][0]:
        return []
    return [(HolderCodeType.RESIDENT_ID.value, _holder_index(identity.decrypt(found[0][0])))]


@functools.cache
def _verified_id_sql() -> str:
    """The encrypted ID number of a user's profile verified at one of ``VERIFIED_LEVELS``."""
    name = rows.name
    return (
        f"SELECT {name(PersonProfile, 'id_number_encrypted')} "  # noqa: S608 (names only)
        f"FROM {rows.quoted_table(PersonProfile)} "
        f"WHERE {name(PersonProfile, 'user_id')} = %s AND {name(PersonProfile, 'realname_level')} "
        f"IN ({', '.join(['%s'] * len(VERIFIED_LEVELS))})"
    )


def _verified_organisations(
    user: User, *, since: datetime.datetime | None = None
) -> QuerySet[Organisation]:
    acting = organisations.for_user(user)
    if since is not None:  # acting for it then and ever since: one unbroken agency
        acting = acting.filter(
            Q(legal_representative=user)
            | Q(
                agents__user=user, agents__revoked_at__isnull=True, agents__authorised_at__lte=since
            )
        )
    return acting.filter(
        verified_at__isnull=False,  # confirmed at a window against its business licence
        legal_representative__person_profile__realname_level__in=VERIFIED_LEVELS,
    )


def _organisation_codes(
    user: User, *, since: datetime.datetime | None = None
) -> list[tuple[str, str]]:
    if not user.is_active:  # a deactivated account acts for no one, and its links stop
        return []
    verified_organisations = _verified_organisations(user, since=since)
    return [
        (HolderCodeType.USCC.value, _holder_index(uscc))
        for uscc in verified_organisations.values_list("uscc", flat=True)
    ]


def is_verified_person(user: User) -> bool:
    """Whether the user's own certificates reach his wallet (see holder_codes)."""
    return PersonProfile.objects.filter(user=user, realname_level__in=VERIFIED_LEVELS).exists()


def holder_codes(user: User) -> list[tuple[str, str]]:
    """(code type, blind index) of every holder the user is now: himself once his real name
    is verified, and organisations he acts for that were confirmed at a window and whose
    representative's real name is verified.
    Worked out at read time, so an ID number moved at a window moves the certificates with it.
    """
    return _person_codes(user) + _organisation_codes(user)


def wallet(user: User) -> QuerySet[Certificate]:
    """The certificates a user holds, or holds through an organisation he may act for."""
    match = Q(pk__in=[])
    for code_type, index in holder_codes(user):
        match |= Q(holder_code_type=code_type, holder_code_index=index)
    return (
        Certificate.objects.filter(match)
        .select_related("type", "issuer")
        .order_by("-issued_on", "-id")
    )


LIVE_STATUSES = (CertificateStatus.VALID, CertificateStatus.EXPIRED)


@dataclass(frozen=True)
class Holder:
    """One holder a user's wallet shows a group for: himself, or an organisation he acts for."""

    code_type: str
    index: str
    name: str
    is_self: bool


def wallet_holders(user: User) -> list[Holder]:
    """The holders of ``holder_codes``, with their names: the user first, then organisations
    by name."""
    holders: list[Holder] = []
    if user.is_active:
        profile = PersonProfile.objects.filter(
            user=user, realname_level__in=VERIFIED_LEVELS
        ).first()
        if profile is not None and profile.id_number_encrypted:
            holders.append(
                Holder(
                    HolderCodeType.RESIDENT_ID.value,
                    _holder_index(profile.reveal_id_number()),
                    profile.legal_name,
                    True,
                )
            )
        for uscc, name in (
            _verified_organisations(user).order_by("name").values_list("uscc", "name")
        ):
            holders.append(Holder(HolderCodeType.USCC.value, _holder_index(uscc), name, False))
    return holders


def held_by(holders: list[Holder]) -> QuerySet[Certificate]:
    """The certificates of these holders (``wallet_holders``)."""
    match = Q(pk__in=[])
    for holder in holders:
        match |= Q(holder_code_type=holder.code_type, holder_code_index=holder.index)
    return Certificate.objects.filter(match).select_related("type", "issuer")


def current(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """Without history: neither superseded by a newer version nor ended by revocation or
    cancellation (an expired one stays: it is still the one to renew)."""
    return certificates.filter(status__in=LIVE_STATUSES)


def history(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """Revoked and cancelled certificates, and earlier versions."""
    return certificates.exclude(status__in=LIVE_STATUSES)


def versions_of(certificate: Certificate) -> QuerySet[Certificate]:
    """Every version of a certificate (one serial of one type and issuer), newest first."""
    return Certificate.objects.filter(
        issuer_id=certificate.issuer_id, type_id=certificate.type_id, serial=certificate.serial
    ).order_by("-version")


def live_of_type(ctype: CertificateType, holder_code: str) -> QuerySet[Certificate]:
    """The holder's valid certificates of a type (the code already checked and canonical):
    what issuing another would duplicate."""
    return Certificate.objects.filter(
        type=ctype, holder_code_index=_holder_index(holder_code), status=CertificateStatus.VALID
    ).select_related("issuer")


def case_choices(user: User) -> list[tuple[str, str]]:
    """(case reference, label) of the user's open cases, for a consent to name one.

    The applications live in another app that depends on this one, so the function that lists
    them is named by the CERTIFICATE_CASE_CHOICES setting instead of imported.
    """
    path = getattr(settings, "CERTIFICATE_CASE_CHOICES", "")
    if not path:
        return []
    choices: Callable[[User], list[tuple[str, str]]] = import_string(path)
    return list(choices(user))


def holds(user: User, certificate: Certificate, *, since: datetime.datetime | None = None) -> bool:
    """Whether the user holds the certificate now; with ``since``, an agent only if his agency
    has lasted since then (a link made in an agency that was revoked stays dead if he is
    authorised again)."""
    person = certificate.holder_code_type == HolderCodeType.RESIDENT_ID
    codes = _person_codes(user) if person else _organisation_codes(user, since=since)
    return (certificate.holder_code_type, certificate.holder_code_index) in codes


class Holdings:
    """What one user holds, worked out once for several certificates (``holds`` without
    ``since``): one profile read and one decryption a request, not one per certificate."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._indexes: dict[str, frozenset[str]] = {}

    def holds(self, certificate: Certificate) -> bool:
        code_type = certificate.holder_code_type
        if code_type not in self._indexes:
            person = code_type == HolderCodeType.RESIDENT_ID
            codes = _person_codes(self.user) if person else _organisation_codes(self.user)
            self._indexes[code_type] = frozenset(i for kind, i in codes if kind == code_type)
        return certificate.holder_code_index in self._indexes[code_type]

    def holds_as_person(self, certificate: Certificate) -> bool:
        """Held as the user's own (his resident ID): then he is its holder's account, as
        ``holder_account`` would find (an ID number belongs to one verified profile)."""
        return certificate.holder_code_type == HolderCodeType.RESIDENT_ID and self.holds(
            certificate
        )


def acting_holders(
    certificate: Certificate, *, viewer: User
) -> dict[int, datetime.datetime | None]:
    """Who holds the certificate now, for a viewer who holds it: user id -> since when (None:
    for as long as it matters). ``holds(..., since=)`` for every link and consent on a page at
    once. A person's certificate is held by one verified account (ID numbers are unique), the
    viewer's; an organisation's by its representative (verified, or the viewer would not hold
    it) and its live agents, each since his agency began."""
    organisation = holder_organisation(certificate)
    if organisation is None:
        return {viewer.pk: None}
    agents = organisation.agents.filter(revoked_at__isnull=True, user__is_active=True)
    acting: dict[int, datetime.datetime | None] = dict(
        agents.values_list("user_id", "authorised_at")
    )
    if organisation.legal_representative.is_active:
        acting[organisation.legal_representative_id] = None
    return acting


def made_by_a_holder(
    acting: dict[int, datetime.datetime | None], user_id: int, moment: datetime.datetime
) -> bool:
    """Whether a link or consent made at ``moment`` still stands, by ``acting_holders``."""
    if user_id not in acting:
        return False
    since = acting[user_id]
    return since is None or since <= moment


def holder_account(certificate: Certificate) -> User | None:
    """The verified account of a person holder, if he has one (an audit subject)."""
    if certificate.holder_code_type != HolderCodeType.RESIDENT_ID:
        return None
    number = identity.decrypt(certificate.holder_code_encrypted)
    profile = (
        PersonProfile.objects.filter(
            id_number_index=identity.blind_index(number), realname_level__in=VERIFIED_LEVELS
        )
        .select_related("user")
        .first()
    )
    return profile.user if profile else None


def holder_organisation(certificate: Certificate) -> Organisation | None:
    if certificate.holder_code_type != HolderCodeType.USCC:
        return None
    return (
        Organisation.objects.filter(uscc=identity.decrypt(certificate.holder_code_encrypted))
        .select_related("legal_representative")
        .first()
    )


def shares_of(certificate: Certificate) -> QuerySet[CertificateShare]:
    """With how often each link was opened and when last (``scan_count``, ``last_scan``)."""
    return certificate.shares.annotate(
        scan_count=Count("scans"), last_scan=Max("scans__at")
    ).order_by("-created_at", "-id")


def scans_of(share: CertificateShare) -> QuerySet[ShareScan]:
    return share.scans.order_by("-at", "-id")


def grants_of(certificate: Certificate) -> QuerySet[CertificateGrant]:
    return certificate.grants.select_related("department").order_by("-created_at", "-id")


def uses_of(certificate: Certificate) -> QuerySet[CertificateUse]:
    return certificate.uses.select_related("department", "reader__person_profile").order_by(
        "-at", "-id"
    )


def reviewed_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=roles.department_ids(user, StaffRole.REVIEWER))


def administered_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN))


def live_grants_for_reviewer(user: User) -> QuerySet[CertificateGrant]:
    """Grants a reviewer may read through now: live, to one of his departments."""
    return (
        CertificateGrant.objects.filter(
            department__in=reviewed_departments(user).values("pk"),
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("certificate__type", "department")
        .order_by("-created_at", "-id")
    )

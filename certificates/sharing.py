"""Holders' shares: a signed, time-limited (optionally one-time) link anyone can verify.

The token is a compact JWS signed with the issuing department's current key, so a link
forged or altered anywhere is refused before any database look-up of the share.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import canonical, keys, selectors, signing
from certificates.models import Certificate, CertificateShare, ScanResult, ShareScan
from certificates.verification import Outcome, Rejected, Result, verified_jws, verify_certificate
from portal import identity
from portal.errors import NotFound
from portal.models import User

MAX_LIFETIME = datetime.timedelta(days=30)
# What a holder may choose to show beyond the masked minimum (besides surface fields).
EXTRA_FIELDS = ("holder_name", "number")


def create(
    certificate: Certificate,
    *,
    by: User,
    lifetime: datetime.timedelta,
    one_time: bool = False,
    shown_fields: list[str] | None = None,
) -> CertificateShare:
    """The holder shares one of his certificates."""
    if not selectors.holds(by, certificate):
        raise NotFound(_("This certificate is not among yours."))
    if not datetime.timedelta(minutes=1) <= lifetime <= MAX_LIFETIME:
        raise ValidationError(
            {"lifetime": _("A link lasts between one minute and 30 days.")}, code="lifetime"
        )
    allowed = set(EXTRA_FIELDS) | set(certificate.type.field_names())
    shown = sorted(set(shown_fields or ()) & allowed)
    share = CertificateShare(
        public_id=secrets.token_urlsafe(12),
        certificate=certificate,
        created_by=by,
        expires_at=timezone.now() + lifetime,
        one_time=one_time,
        shown_fields=shown,
    )
    key = keys.active_key(certificate.issuer)
    body = {
        "sid": share.public_id,
        "cid": certificate.identifier,
        "exp": int(share.expires_at.timestamp()),
    }
    message = signing.signing_input(canonical.header(key, canonical.SHARE_TYP), body)
    signature = signing.signer_for(key.alg).sign(
        keys.private_key(key), keys.public_key(key), message
    )
    share.token = f"{message.decode('ascii')}.{signing.b64url(signature)}"
    share.save()
    return share


def withdraw(share: CertificateShare, *, by: User) -> None:
    """Whoever holds the certificate now (an organisation's representative or any live agent)
    withdraws any of its links, whoever made it."""
    if not selectors.holds(by, share.certificate):
        raise NotFound(_("This link is not among yours."))
    if share.withdrawn_at is None:
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at"])


def creator_holds(share: CertificateShare) -> bool:
    """A link works only while whoever made it still holds the certificate: an agent's links
    stop when his agency is revoked, and a person's when his ID number moves to another account.
    Checked when the link is opened, so that nothing in portal has to know about links."""
    return selectors.holds(share.created_by, share.certificate, since=share.created_at)


def open_token(token: str, *, now: datetime.datetime | None = None, record: bool = True) -> Result:
    """What a scan of the link shows. A real opening (``record``) uses a one-time link up and
    is recorded for the holder; a peek (an HTTP HEAD) only reads."""
    now = now or timezone.now()
    try:
        body, key = verified_jws(token, canonical.SHARE_TYP)
    except Rejected as rejected:
        return Result(rejected.outcome)
    share = (
        CertificateShare.objects.select_related(
            "certificate__type", "certificate__issuer", "certificate__key", "created_by"
        )
        .filter(public_id=str(body.get("sid")))
        .order_by()
        .first()
    )
    if share is None or share.certificate.identifier != body.get("cid"):
        return Result(Outcome.NOT_FOUND)
    if share.certificate.issuer_id != key.department_id:
        return Result(Outcome.FORGED)
    if share.withdrawn_at is not None:
        return _refused(share, now, ScanResult.WITHDRAWN, Outcome.SHARE_WITHDRAWN, record)
    if now >= share.expires_at:
        return _refused(share, now, ScanResult.EXPIRED, Outcome.SHARE_EXPIRED, record)
    if not creator_holds(share):  # to whoever scans it, as good as withdrawn
        return _refused(share, now, ScanResult.WITHDRAWN, Outcome.SHARE_WITHDRAWN, record)
    if not record:
        if share.one_time and share.used_at:
            return Result(Outcome.SHARE_USED, share=share)
        return _shown(share, now)
    with transaction.atomic():
        # One conditional UPDATE: two scans racing for a one-time link cannot both win.
        claimed = CertificateShare.objects.filter(pk=share.pk, used_at__isnull=True).update(
            used_at=now
        )
        if share.one_time and not claimed:
            return _refused(share, now, ScanResult.USED, Outcome.SHARE_USED, record)
        result = _shown(share, now)
        shown_as = ScanResult.SHOWN if result.genuine else ScanResult.NOT_GENUINE
        ShareScan.objects.create(share=share, at=now, result=shown_as)
    return result


def _shown(share: CertificateShare, now: datetime.datetime) -> Result:
    result = verify_certificate(share.certificate, timezone.localdate(now))
    result.share = share
    return result


def _refused(
    share: CertificateShare, now: datetime.datetime, what: str, outcome: Outcome, record: bool
) -> Result:
    """A refused scan is recorded for the holder too, so that he sees every attempt."""
    if record:
        ShareScan.objects.create(share=share, at=now, result=what)
    return Result(outcome, share=share)


def shown(result: Result) -> list[tuple[str, str]]:
    """The fields a verifier sees: the masked minimum, plus what the holder chose to show."""
    certificate, share = result.certificate, result.share
    if certificate is None:
        return []
    chosen = set(share.shown_fields) if share else set()
    rows: list[tuple[str, Any]] = [
        (_("Certificate"), certificate.type.name),
        (
            _("Holder"),
            certificate.holder_name
            if "holder_name" in chosen
            else identity.mask_name(certificate.holder_name),
        ),
        (_("Holder code"), certificate.holder_code_masked),
    ]
    if "number" in chosen:
        rows.append((_("Certificate number"), certificate.number))
    rows += [
        (_("Identifier"), certificate.identifier),
        (_("Issued by"), certificate.issuer.name),
        (_("Issue date"), certificate.issued_on.isoformat()),
        (
            _("Validity period"),
            _("%(start)s to %(end)s")
            % {
                "start": certificate.valid_from.isoformat(),
                "end": certificate.valid_until.isoformat()
                if certificate.valid_until
                else _("long-term"),
            },
        ),
    ]
    if chosen:  # surface fields only when the holder chose to show some
        labels = {f["name"]: f.get("label", f["name"]) for f in certificate.type.fields}
        for name in certificate.type.field_names():
            if name in chosen and name in certificate.surface:
                rows.append((labels[name], certificate.surface[name]))
    return [(str(label), str(value)) for label, value in rows]

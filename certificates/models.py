"""The electronic-certificate store: types, certificates, signing keys, events, shares, grants."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.idp.oidc.models import Client
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from certificates import typedefs
from portal.models import Department, User


class HolderKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class ValidityRule(models.TextChoices):
    FIXED_YEARS = "fixed_years", _("A fixed number of years")
    LONG_TERM = "long_term", _("Long-term")
    GIVEN = "given", _("Given at issue")


class CertificateType(models.Model):
    """A kind of certificate (证照类型): who defines and issues it, and its surface fields."""

    code = models.CharField(_("type code"), max_length=21, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    defining_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="defined_certificate_types",
        verbose_name=_("defining department"),
    )
    issuing_departments = models.ManyToManyField(
        Department, related_name="issued_certificate_types", verbose_name=_("issuing departments")
    )
    holder_kind = models.CharField(
        _("holder kind"), max_length=16, choices=HolderKind.choices, default=HolderKind.PERSON
    )
    # [{"name": "address", "label": "住址", "label_en": "Address", "type": "text"}, ...]
    fields = models.JSONField(_("surface fields"), default=list, blank=True)
    validity_rule = models.CharField(
        _("validity"), max_length=16, choices=ValidityRule.choices, default=ValidityRule.LONG_TERM
    )
    validity_years = models.PositiveSmallIntegerField(_("years valid"), null=True, blank=True)
    # {"colour": "#b22222", "title": "中华人民共和国居民身份证"}: what rendering.py draws.
    layout = models.JSONField(_("layout"), default=dict, blank=True)

    class Meta:
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Refused on every path, not only through forms that call full_clean().
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        found = typedefs.problems(self)
        if found:
            raise ValidationError(found)

    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class SigningKey(models.Model):
    """One key pair of an issuing department; the private half encrypted under the master key.

    The newest key without ``retired_at`` signs; retired keys stay published so that
    certificates they signed still verify.
    """

    kid = models.CharField(_("key id"), max_length=64, unique=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="certificate_signing_keys",
        verbose_name=_("department"),
    )
    alg = models.CharField(_("algorithm"), max_length=16)
    public_key = models.CharField(_("public key"), max_length=200)
    private_key_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        ordering = ["department_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(retired_at__isnull=True),
                name="one_active_signing_key_per_department",
            )
        ]

    def __str__(self) -> str:
        return self.kid


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


class EventAction(models.TextChoices):
    ISSUE = "issue", _("Issued")
    REVOKE = "revoke", _("Revoked")
    CANCEL = "cancel", _("Cancelled")
    EXPIRE = "expire", _("Expired")
    SUPERSEDE = "supersede", _("Renewed")


class HolderCodeType(models.TextChoices):
    RESIDENT_ID = "111", _("Resident ID number")
    USCC = "001", _("Unified social credit code")


class Certificate(models.Model):
    """One electronic certificate, signed by its issuing department (GB/T 36903 metadata).

    The holder's code is encrypted and blind-indexed like a PersonProfile's ID number.
    """

    identifier = models.CharField(_("certificate identifier"), max_length=100, unique=True)
    number = models.CharField(_("certificate number"), max_length=64)
    type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("certificate type"),
    )
    serial = models.CharField(_("serial"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    holder_name = models.CharField(_("holder"), max_length=200)
    holder_code_type = models.CharField(
        _("holder code type"), max_length=3, choices=HolderCodeType.choices
    )
    holder_code_encrypted = models.TextField(editable=False)
    holder_code_index = models.CharField(max_length=64, db_index=True, editable=False)
    holder_code_masked = models.CharField(_("holder code"), max_length=18, editable=False)
    issuer = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="issued_certificates",
        verbose_name=_("issuing department"),
    )
    issued_on = models.DateField(_("issue date"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    surface = models.JSONField(_("surface fields"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    key = models.ForeignKey(
        SigningKey, on_delete=models.PROTECT, related_name="+", verbose_name=_("signing key")
    )
    signature = models.CharField(_("signature"), max_length=200)
    # NULL for "none given": unique per issuer must allow many certificates without one.
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=100, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "idempotency_key"], name="one_certificate_per_issue_request"
            ),
            models.UniqueConstraint(
                fields=["issuer", "type", "serial", "version"], name="unique_certificate_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"

    @property
    def is_long_term(self) -> bool:
        return self.valid_until is None

    def effective_status(self, today: datetime.date | None = None) -> str:
        """The status as of ``today``: a valid certificate past its last day is expired even
        before the periodic task has marked it."""
        today = today or timezone.localdate()
        if (
            self.status == CertificateStatus.VALID
            and self.valid_until is not None
            and today > self.valid_until
        ):
            return CertificateStatus.EXPIRED
        return self.status

    def surface_rows(self) -> list[tuple[str, str]]:
        """Surface fields with their labels, in the type's order."""
        labels = {f["name"]: f.get("label", f["name"]) for f in self.type.fields}
        return [(labels.get(k, k), str(v)) for k, v in self.surface.items()]

    def effective_status_display(self, today: datetime.date | None = None) -> str:
        return str(CertificateStatus(self.effective_status(today)).label)


class CertificateEvent(models.Model):
    """One change of a certificate's state, with who made it and why (append-only)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="events", verbose_name=_("certificate")
    )
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    from_status = models.CharField(
        _("from"), max_length=16, blank=True, choices=CertificateStatus.choices
    )
    to_status = models.CharField(_("to"), max_length=16, choices=CertificateStatus.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class CertificateShare(models.Model):
    """A holder's time-limited (optionally one-time) link for anyone to verify a certificate."""

    public_id = models.CharField(max_length=32, unique=True, editable=False)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="shares", verbose_name=_("certificate")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    one_time = models.BooleanField(_("one-time"), default=False)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Extra fields shown beyond the masked minimum: "holder_name", "number", surface names.
    shown_fields = models.JSONField(_("fields shown"), default=list, blank=True)
    token = models.CharField(max_length=1000, editable=False)

    class Meta:
        verbose_name = _("certificate share")
        verbose_name_plural = _("certificate shares")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"share {self.public_id}"

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.withdrawn_at is None
            and now < self.expires_at
            and not (self.one_time and self.used_at)
        )


class ScanResult(models.TextChoices):
    SHOWN = "shown", _("Certificate shown")
    NOT_GENUINE = "not_genuine", _("Shown as not genuine")
    USED = "used", _("Refused: already used")
    EXPIRED = "expired", _("Refused: link expired")
    WITHDRAWN = "withdrawn", _("Refused: link withdrawn")


class ShareScan(models.Model):
    """One opening of a share link by anyone (anonymous: only when and what it showed)."""

    share = models.ForeignKey(
        CertificateShare, on_delete=models.CASCADE, related_name="scans", verbose_name=_("link")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    result = models.CharField(_("result"), max_length=16, choices=ScanResult.choices)

    class Meta:
        verbose_name = _("link scan")
        verbose_name_plural = _("link scans")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["share", "-at"])]

    def __str__(self) -> str:
        return f"{self.share} {self.at:%Y-%m-%d %H:%M} {self.result}"


# Purposes the portal writes as codes (services.materials.CONSENT_PURPOSE), shown in the
# reader's language; a purpose the holder typed is shown as typed.
PURPOSE_LABELS = {"application": _("To handle the application (no copy handed in)")}


def shown_purpose(purpose: str) -> str:
    return str(PURPOSE_LABELS.get(purpose, purpose))


class CertificateGrant(models.Model):
    """The holder's consent (用证授权) that a department may read a certificate for one case."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="grants", verbose_name=_("certificate")
    )
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="certificate_grants",
        verbose_name=_("department"),
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    case_reference = models.CharField(_("case reference"), max_length=64)
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate grant")
        verbose_name_plural = _("certificate grants")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate} → {self.department}"

    def is_live(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.withdrawn_at is None and now < self.expires_at

    @property
    def shown_purpose(self) -> str:
        return shown_purpose(self.purpose)


class CertificateUse(models.Model):
    """One read of a certificate by someone other than its holder (用证记录)."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="uses", verbose_name=_("certificate")
    )
    grant = models.ForeignKey(
        CertificateGrant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uses",
        verbose_name=_("grant"),
    )
    reader = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("read by")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("certificate use")
        verbose_name_plural = _("certificate uses")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.certificate_id}"

    @property
    def shown_purpose(self) -> str:
        return shown_purpose(self.purpose)


class IssuingSystem(models.Model):
    """A department's own system, registered as an OIDC client, that issues and revokes that
    department's certificates through the API with client-credentials tokens."""

    client = models.OneToOneField(
        Client,
        on_delete=models.CASCADE,
        related_name="issuing_system",
        verbose_name=_("OIDC client"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="issuing_systems",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("issuing system")
        verbose_name_plural = _("issuing systems")

    def __str__(self) -> str:
        return f"{self.client} → {self.department}"

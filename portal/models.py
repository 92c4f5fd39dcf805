"""Accounts, real-name identity, organisations, departments, staff roles and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal import identity


class UserManager(BaseUserManager["User"]):
    def create_user(
        self, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        email = self.normalize_email(email) or None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: one login for everything. Signs in with a verified phone or an e-mail."""

    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    phone = models.CharField(
        _("mobile number"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Mainland mobile in E.164 form, +86…"),
    )
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """A name safe to show anywhere: masked legal name, else masked phone or e-mail."""
        profile = getattr(self, "person_profile", None)
        if profile and profile.legal_name:
            return identity.mask_name(profile.legal_name)
        if self.phone:
            return identity.mask_phone(self.phone)
        return self.email or f"#{self.pk}"

    @property
    def masked_phone(self) -> str:
        return identity.mask_phone(self.phone or "")


class RealNameLevel(models.TextChoices):
    NONE = "none", _("Not verified")
    SELF_DECLARED = "self_declared", _("Self-declared")
    WINDOW = "window", _("Verified at a service window")
    E_CERTIFICATE = "e_certificate", _("Verified by an electronic certificate")


class PersonProfile(models.Model):
    """A natural person's real-name identity. The ID number is encrypted and blind-indexed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="person_profile")
    legal_name = models.CharField(_("legal name"), max_length=64, blank=True)
    id_number_encrypted = models.TextField(editable=False, blank=True)
    # NULL, not "", for "no number yet": unique must allow many profiles without one.
    id_number_index = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    id_number_masked = models.CharField(
        _("resident ID number"), max_length=18, blank=True, editable=False
    )
    realname_level = models.CharField(
        _("real-name level"),
        max_length=16,
        choices=RealNameLevel.choices,
        default=RealNameLevel.NONE,
    )
    realname_verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    realname_verified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # Blind index of a number a clerk released from this account: it cannot be declared here
    # again, or an impostor would simply take it back.
    released_index = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("person profile")
        verbose_name_plural = _("person profiles")

    def __str__(self) -> str:
        return f"{identity.mask_name(self.legal_name)} {self.id_number_masked}"

    def set_id_number(self, number: str) -> None:
        """Store an already validated ID number: encrypted, indexed and masked."""
        self.id_number_encrypted = identity.encrypt(number)
        self.id_number_index = identity.blind_index(number)
        self.id_number_masked = identity.mask_id_number(number)

    def reveal_id_number(self) -> str:
        """The number in clear. Callers reading someone else's number must audit the read."""
        return identity.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @property
    def is_verified(self) -> bool:
        return self.realname_level in (RealNameLevel.WINDOW, RealNameLevel.E_CERTIFICATE)


class WindowCode(models.Model):
    """A one-time code sent to an account's phone so that its holder, standing at a window,
    confirms the clerk's real-name verification. Only an HMAC of the code is kept."""

    MAX_ATTEMPTS: ClassVar[int] = 5

    profile = models.ForeignKey(
        PersonProfile,
        on_delete=models.CASCADE,
        related_name="window_codes",
        verbose_name=_("person profile"),
    )
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    code_hash = models.CharField(max_length=64, editable=False)
    # HMAC of the name and number declared when the code was sent: a declaration changed
    # online meanwhile must not be what the code verifies.
    declared_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("valid until"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("window verification code")
        verbose_name_plural = _("window verification codes")

    def __str__(self) -> str:
        return f"{self.profile} {self.created_at:%Y-%m-%d %H:%M}"

    def is_live(self, now: datetime) -> bool:
        """Unused, unexpired and not yet guessed at too often."""
        return self.used_at is None and self.expires_at > now and self.attempts < self.MAX_ATTEMPTS


class Department(models.Model):
    """A government department: owns services, employs staff, issues certificates."""

    code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    area_code = models.CharField(_("area code"), max_length=6, default="440100")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    def clean(self) -> None:
        try:
            self.code = identity.validate_uscc(self.code)
        except ValidationError as exc:
            raise ValidationError({"code": exc}) from None


class ServiceCategory(models.Model):
    """A service category (事项分类): the key back-office queues and reviewers are organised by.

    Kept beside departments because staff roles are scoped by it; the catalogue files each
    service under one.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class ServiceHall(models.Model):
    """A government service hall (政务服务大厅) where window clerks work."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200)
    address_en = models.CharField(_("English address"), max_length=300, blank=True)
    area_code = models.CharField(_("area code"), max_length=6, default="440100")
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    opening_hours_en = models.CharField(_("opening hours in English"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service hall")
        verbose_name_plural = _("service halls")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def display_address(self) -> str:
        """The address in the current language (the Chinese one when no English is kept)."""
        return self.address_en if get_language() == "en" and self.address_en else self.address

    @property
    def display_opening_hours(self) -> str:
        """The opening hours in the current language (Chinese when no English is kept)."""
        english = get_language() == "en" and self.opening_hours_en
        return self.opening_hours_en if english else self.opening_hours


class Organisation(models.Model):
    """An enterprise or other organisation (法人), acting through its representative or agents."""

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="represented_organisations",
        verbose_name=_("legal representative"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Set when a window clerk has seen the business licence and the representative's ID card;
    # until then the registration is only a claim (see organisations.confirm_at_window).
    verified_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_confirmed(self) -> bool:
        """Whether a window clerk has confirmed the organisation and its representative."""
        return self.verified_at is not None


class OrganisationAgent(models.Model):
    """An agent (经办人) the legal representative has authorised to act for the organisation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="agents",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="agencies", verbose_name=_("agent")
    )
    authorised_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("authorised by")
    )
    authorised_at = models.DateTimeField(_("authorised at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation agent")
        verbose_name_plural = _("organisation agents")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_agency_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ← {self.user}"


class StaffRole(models.TextChoices):
    CLERK = "clerk", _("Window clerk")
    REVIEWER = "reviewer", _("Back-office reviewer")
    DEPARTMENT_ADMIN = "department_admin", _("Department administrator")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class StaffAssignment(models.Model):
    """A role an administrator gives a user, scoped to a hall or a department."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="staff_assignments", verbose_name=_("account")
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )
    service_hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("service hall"),
    )
    categories = models.ManyToManyField(
        ServiceCategory,
        blank=True,
        related_name="reviewers",
        verbose_name=_("service categories"),
        help_text=_("For reviewers: the categories whose cases they review."),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "service_hall"],
                name="unique_staff_assignment",
            ),
        ]

    def __str__(self) -> str:
        scope = self.service_hall or self.department or ""
        return f"{self.get_role_display()} {scope}".strip()

    def clean(self) -> None:
        if self.role == StaffRole.CLERK and not self.service_hall_id:
            raise ValidationError({"service_hall": _("A window clerk works in a service hall.")})
        if self.role in (StaffRole.REVIEWER, StaffRole.DEPARTMENT_ADMIN) and not self.department_id:
            raise ValidationError({"department": _("This role belongs to a department.")})


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    MFA_CHANGED = "mfa_changed", _("Two-factor authentication changed")
    ROLE_GRANTED = "role_granted", _("Role granted")
    ROLE_REVOKED = "role_revoked", _("Role revoked")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("Personal data viewed")
    REALNAME_VERIFIED = "realname_verified", _("Real-name identity verified")
    WINDOW_CODE_SENT = "window_code_sent", _("Window verification code sent")
    ID_NUMBER_RELEASED = "id_number_released", _("ID number released from an account")
    ORGANISATION_CONFIRMED = "organisation_confirmed", _("Organisation confirmed at a window")
    AGENT_AUTHORISED = "agent_authorised", _("Agent authorised")
    AGENT_REVOKED = "agent_revoked", _("Agent revoked")
    CATALOGUE_CHANGED = "catalogue_changed", _("Service catalogue changed")
    ORGANISATION_REGISTERED = "organisation_registered", _("Organisation registered")
    ORGANISATION_CHANGED = "organisation_changed", _("Organisation changed by an administrator")
    CONSENT_GRANTED = "consent_granted", _("Consent to use a certificate given")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent to use a certificate withdrawn")
    SIGNING_KEY_CREATED = "signing_key_created", _("Signing key created")
    SIGNING_KEY_ROTATED = "signing_key_rotated", _("Signing key rotated")
    CERTIFICATE_TYPE_CHANGED = "certificate_type_changed", _("Certificate type changed")
    ISSUING_SYSTEM_CHANGED = "issuing_system_changed", _("Issuing system changed")
    REALNAME_DUPLICATE_REFUSED = (
        "realname_duplicate_refused",
        _("Real-name declaration refused: the ID number is another account's"),
    )
    KIOSK_ENROLLED = "kiosk_enrolled", _("Hall kiosk enrolled")
    KIOSK_REVOKED = "kiosk_revoked", _("Hall kiosks revoked")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the audit log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class AuditEvent(models.Model):
    """One append-only audit row: who did what to whose data, which fields, why and when."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    subject = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events_about",
        verbose_name=_("whose"),
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the audit log is append-only")


class OutboundSMS(models.Model):
    """A text message waiting for, or done with, the SMS sender. Tasks take its id, not the
    phone number; the body is wiped once sent because it may hold a verification code."""

    phone = models.CharField(_("mobile number"), max_length=16)
    body = models.CharField(_("text"), max_length=500)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outbound text message")
        verbose_name_plural = _("outbound text messages")

    def __str__(self) -> str:
        return f"SMS #{self.pk} → {identity.mask_phone(self.phone)}"


class Notification(models.Model):
    """One message in a person's in-app list (站内消息); SMS and e-mail copies are sent from it.

    ``key`` makes sending idempotent: the same event never notifies twice. ``title`` and
    ``body`` are message ids (English) filled with ``params`` when shown, so each reader sees
    them in his own language.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("account")
    )
    key = models.CharField(max_length=100)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    params = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_key")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_list")]

    def __str__(self) -> str:
        return self.rendered_title()

    def rendered_title(self) -> str:
        """The title in the active language."""
        return _render(self.title, self.params)

    def rendered_body(self) -> str:
        """The text in the active language."""
        return _render(self.body, self.params)


def _render(message: str, params: dict[str, Any]) -> str:
    from django.utils.translation import get_language, gettext

    if not message:
        return ""
    # A parameter may carry its own wording per language ("title@en" beside "title").
    language = (get_language() or "").split("-")[0]
    params = {key: params.get(f"{key}@{language}", value) for key, value in params.items()}
    try:
        return gettext(message) % params if params else gettext(message)
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return message % params if params else message

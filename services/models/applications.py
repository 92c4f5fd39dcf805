"""Applications (办件): one case of one applicant for one service, or a bundle's parent case.

Only ``services.workflow`` changes an application's status; every change writes one
``ApplicationEvent``. Facts about one row live here as methods.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certificates.models import Certificate, CertificateGrant
from portal.models import Organisation, ServiceHall, User
from services.models.bundles import Bundle
from services.models.catalogue import MaterialRequirement, ReviewStep, Service
from services.storage import material_path, materials_storage


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Supplement requested")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    IN_REVIEW = "in_review", _("Accepted, in review")
    REVIEW_SUPPLEMENT = "review_supplement", _("Supplement requested during review")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    RESULT_ISSUED = "result_issued", _("Result ready")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATUSES = frozenset(
    {
        ApplicationStatus.NOT_ACCEPTED,
        ApplicationStatus.DENIED,
        ApplicationStatus.COMPLETED,
        ApplicationStatus.WITHDRAWN,
    }
)
# The deadline clock runs only in these; it pauses in review supplement.
CLOCK_STATUSES = frozenset({ApplicationStatus.IN_REVIEW, ApplicationStatus.REVIEW_SUPPLEMENT})


class Channel(models.TextChoices):
    ONLINE = "online", pgettext_lazy("application channel", "Online")
    COUNTER = "counter", _("At the counter")


class Delivery(models.TextChoices):
    NONE = "none", _("Nothing to collect")
    PICKUP = "pickup", _("Collect at the results window")
    POST = "post", _("By post")


class SlaLevel(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due within one working day")
    OVERDUE = "overdue", _("Overdue")


def new_tracking_token() -> str:
    return secrets.token_urlsafe(16)


class Application(models.Model):
    """One case (办件). A bundle application is the parent of one child per member service."""

    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("service"),
    )
    bundle = models.ForeignKey(
        Bundle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="applications",
        verbose_name=_("bundle"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="children",
        verbose_name=_("bundle application"),
    )
    applicant = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        db_index=False,  # application_by_applicant leads with it
        related_name="applications",
        verbose_name=_("applicant"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="applications",
        verbose_name=_("on behalf of"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # application_intake leads with it
        related_name="applications",
        verbose_name=_("service hall"),
    )
    taken_in_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="+",
        verbose_name=_("taken in by"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,  # application_routing leads with it
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    bundle_choices = models.JSONField(
        _("optional services chosen"), default=list, blank=True, help_text=_("Service codes.")
    )
    tracking_token = models.CharField(  # unique: a constraint below
        _("tracking token"), max_length=32, default=new_tracking_token
    )
    # NULL, not "": unique only once given (the key, the pickup code, the acceptance number).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    request_digest = models.CharField(max_length=64, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Unique once given: a constraint below.
    acceptance_number = models.CharField(  # noqa: DJ001
        _("acceptance number"), max_length=40, null=True, blank=True
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    paused_on = models.DateField(_("clock paused since"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(
        _("working days in supplement"), default=0, help_text=_("They do not count.")
    )
    supplement_items = models.JSONField(_("supplement needed"), default=list, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    review_step = models.ForeignKey(
        ReviewStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="+",
        verbose_name=_("review step"),
    )
    step_started_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)  # application_routing
    assigned_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # application_queue leads with it
        related_name="assigned_applications",
        verbose_name=_("reviewer"),
    )
    sla = models.CharField(
        _("time limit"), max_length=10, choices=SlaLevel.choices, default=SlaLevel.ON_TIME
    )

    delivery = models.CharField(
        _("result delivery"), max_length=10, choices=Delivery.choices, default=Delivery.NONE
    )
    result_certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="+",
        verbose_name=_("result certificate"),
    )
    pickup_code = models.CharField(  # noqa: DJ001
        _("pickup code"), max_length=8, null=True, blank=True
    )
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(bundle__isnull=False),
                name="application_for_a_service_or_bundle",
            ),
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="one_application_per_idempotency_key",
            ),
            models.UniqueConstraint(
                fields=["pickup_code"],
                condition=Q(pickup_code__isnull=False, handed_over_at__isnull=True),
                name="pickup_code_unique_while_waiting",
            ),
            models.UniqueConstraint(fields=["tracking_token"], name="application_tracking_token"),
            models.UniqueConstraint(
                fields=["acceptance_number"],
                condition=Q(acceptance_number__isnull=False),
                name="application_acceptance_number",
            ),
        ]
        indexes = [
            models.Index(fields=["applicant", "-created_at"], name="application_by_applicant"),
            models.Index(fields=["status", "routed_at"], name="application_routing"),
            models.Index(fields=["assigned_to", "status"], name="application_queue"),
            models.Index(fields=["hall", "status"], name="application_intake"),
            # The statistics dashboard counts cases per day and service by these dates (ADR
            # 0014); the extra columns let PostgreSQL answer from the index alone.
            models.Index(fields=["submitted_at", "service"], name="application_submitted"),
            models.Index(fields=["accepted_at", "service"], name="application_accepted"),
            models.Index(
                fields=["completed_at", "service", "accepted_at", "due_date"],
                name="application_completed",
            ),
            # Every index is written on each insert and on each move that changes the row's
            # place in it, and a submit is the busiest write (issue 8): the links most cases
            # leave empty are indexed only where given (what deleting the linked row and
            # reading a bundle's children look up), and the columns a composite index above
            # leads with have no index of their own; nothing searches by prefix, so no LIKE
            # indexes either (services/migrations/0012_application_speed.py).
            *(
                models.Index(
                    fields=[link],
                    condition=Q(**{f"{link}__isnull": False}),
                    name=f"application_{link}",
                )
                for link in (
                    "bundle",
                    "parent",
                    "organisation",
                    "taken_in_by",
                    "review_step",
                    "result_certificate",
                )
            ),
        ]

    def __str__(self) -> str:
        return self.acceptance_number or self.reference

    @property
    def reference(self) -> str:
        """The case's reference from its creation on (consents name it); the acceptance
        number comes later."""
        return f"APP{self.pk:08d}"

    @property
    def is_bundle(self) -> bool:
        """A parent case of a 一件事 bundle, whose children do the work."""
        return self.bundle_id is not None and self.service_id is None

    def is_final(self) -> bool:
        """Nothing more will happen to this case."""
        return self.status in FINAL_STATUSES

    def clock_paused(self) -> bool:
        """The deadline clock stands still while the applicant supplies what is missing."""
        return self.status == ApplicationStatus.REVIEW_SUPPLEMENT

    def title(self) -> str:
        """The service's or the bundle's name in the current language."""
        if self.service_id:
            return self.service.display_name  # type: ignore[union-attr]
        return self.bundle.display_name if self.bundle_id else ""  # type: ignore[union-attr]


class ApplicationEvent(models.Model):
    """One change of an application: who, when, from which status to which, and the opinion."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="events", verbose_name=_("application")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "id"]
        # The supplement rate (statistics) looks for supplement requests by their status.
        indexes = [models.Index(fields=["to_status", "application"], name="event_by_to_status")]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class MaterialSource(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    CERTIFICATE = "certificate", _("Electronic certificate")
    PAPER = "paper", _("Paper seen at the counter")


class Material(models.Model):
    """What the applicant handed in for one requirement: a file, or an e-certificate he holds
    (材料免提交, with his consent), or paper the clerk saw at the counter."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=_("application"),
    )
    requirement = models.ForeignKey(
        MaterialRequirement,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requirement"),
    )
    source = models.CharField(_("source"), max_length=12, choices=MaterialSource.choices)
    file = models.FileField(
        _("file"),
        upload_to=material_path,
        storage=materials_storage,
        blank=True,
        max_length=200,
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("certificate"),
    )
    grant = models.ForeignKey(
        CertificateGrant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent"),
    )
    original_seen = models.BooleanField(_("original seen"), default=False)
    copy_taken = models.BooleanField(_("copy taken"), default=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["requirement__order", "id"]

    def __str__(self) -> str:
        return self.shown_name or str(self.requirement)

    @property
    def shown_name(self) -> str:
        """An upload's name as pages and downloads show it: ``materials.safe_file_name`` of the
        stored one, so a row stored before names were made safe shows no path, control or
        right-to-left characters either. A certificate's or paper's name is the catalogue's."""
        if self.source != MaterialSource.UPLOAD or not self.file_name:
            return self.file_name
        from services.materials import safe_file_name  # it imports this module

        return safe_file_name(self.file_name, self.content_type)


class NumberSequence(models.Model):
    """The last number given out under one key (e.g. one department's acceptances of one day)."""

    key = models.CharField(max_length=60, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"

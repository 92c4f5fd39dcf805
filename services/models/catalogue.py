"""Service items (事项) with their material requirements, review steps and search tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from certificates.models import CertificateType
from portal.models import Department, ServiceCategory, ServiceHall, StaffRole
from services import formdefs
from services.guide_files import validate_guide_document

code_validator = RegexValidator(
    r"^[0-9A-Za-z-]{4,40}$", _("Use 4 to 40 letters, digits or hyphens."), code="invalid_code"
)


class ServiceKind(models.TextChoices):
    ADMINISTRATIVE_LICENCE = "licence", _("Administrative licence")
    ADMINISTRATIVE_CONFIRMATION = "confirmation", _("Administrative confirmation")
    ADMINISTRATIVE_PAYMENT = "payment", _("Administrative payment")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other administrative power")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("Individuals")
    ORGANISATION = "organisation", _("Organisations")
    BOTH = "both", _("Individuals and organisations")


class ServiceResult(models.TextChoices):
    CERTIFICATE = "certificate", _("Electronic certificate")
    PAPER = "paper", _("Paper document")
    NONE = "none", _("No document")


class ServiceQuerySet(models.QuerySet["Service"]):
    def published(self) -> ServiceQuerySet:
        return self.filter(is_published=True)

    def for_applicant(self, kind: str) -> ServiceQuerySet:
        """Services open to a person or an organisation (those open to both included)."""
        return self.filter(applicant_kind__in=[kind, ApplicantKind.BOTH])


class Service(models.Model):
    """A service item (政务服务事项) one department provides; its implementation code is the key."""

    code = models.CharField(
        _("implementation code"), max_length=40, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="services", verbose_name=_("department")
    )
    category = models.ForeignKey(
        ServiceCategory,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("category"),
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.PUBLIC_SERVICE
    )
    applicant_kind = models.CharField(
        _("who may apply"),
        max_length=20,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    statutory_limit_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)")
    )
    promised_limit_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    visits_needed = models.PositiveSmallIntegerField(
        _("visits needed"), default=0, help_text=_("0 means fully online.")
    )
    bookable = models.BooleanField(_("can be booked"), default=True)
    online = models.BooleanField(_("can be applied for online"), default=True)
    fee = models.CharField(_("fee"), max_length=200, blank=True, help_text=_("Empty means free."))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    halls = models.ManyToManyField(
        ServiceHall, blank=True, related_name="services", verbose_name=_("service halls")
    )
    result_kind = models.CharField(
        _("result"), max_length=20, choices=ServiceResult.choices, default=ServiceResult.NONE
    )
    result_name = models.CharField(_("result document"), max_length=100, blank=True)
    # PROTECT: a type some service issues or accepts cannot be deleted from under it.
    result_certificate_type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("result certificate type"),
        help_text=_("The e-certificate type the service issues, if any."),
    )
    form_definition = models.JSONField(
        _("application form"),
        default=formdefs.empty_definition,
        blank=True,
        help_text=_('The application form as JSON: {"fields": [...]}; see the documentation.'),
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A broken form definition would break every page and API call showing the form, so
        # it is refused on every path, not only through forms that call full_clean().
        self.form_definition = formdefs.validate_definition(self.form_definition)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            self.form_definition = formdefs.validate_definition(self.form_definition)
        except ValidationError as exc:
            errors["form_definition"] = exc
        promised, statutory = self.promised_limit_days, self.statutory_limit_days
        if promised is not None and statutory is not None and promised > statutory:
            errors["promised_limit_days"] = ValidationError(
                _("The promised time limit cannot exceed the statutory one."),
                code="promised_over_statutory",
            )
        if self.result_kind == ServiceResult.CERTIFICATE and not self.result_certificate_type_id:
            errors["result_certificate_type"] = ValidationError(
                _("Give the certificate type of the result."), code="required"
            )
        elif problem := self.result_issuing_problem():
            errors["result_certificate_type"] = problem
        if errors:
            raise ValidationError(errors)

    def result_issuing_problem(self) -> ValidationError | None:
        """Why the department could not issue the result certificate, if it could not."""
        ctype = self.result_certificate_type
        if ctype is None or self.department_id is None:
            return None
        if ctype.issuing_departments.filter(pk=self.department_id).exists():
            return None
        return ValidationError(
            _(
                "%(department)s does not issue “%(type)s” certificates: add it to the type's "
                "issuing departments or choose another type."
            ),
            code="not_an_issuer",
            params={"department": self.department.name, "type": ctype.name},
        )

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name

    @property
    def fully_online(self) -> bool:
        """Done without a single visit (最多跑零次)."""
        return self.online and self.visits_needed == 0


class MaterialRequirement(models.Model):
    """One material (申请材料) a service asks for; an e-certificate may replace it."""

    class Requirement(models.TextChoices):
        REQUIRED = "required", _("Required")
        CONDITIONAL = "conditional", _("Required when a condition applies")

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")
        COPY = "copy", _("Copy")
        BOTH = "both", _("Original and copy")
        ELECTRONIC = "electronic", _("Electronic file")

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="materials", verbose_name=_("service")
    )
    key = models.SlugField(
        pgettext_lazy("material", "key"),
        max_length=60,
        help_text=_("Materials with the same key are asked for once in a bundle."),
    )
    name = models.CharField(_("name"), max_length=200)
    requirement = models.CharField(
        _("requirement"), max_length=20, choices=Requirement.choices, default=Requirement.REQUIRED
    )
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("number of copies"), default=1)
    file_types = models.CharField(
        _("accepted file types"), max_length=100, default="pdf,jpg,png", blank=True
    )
    max_size_mb = models.PositiveSmallIntegerField(_("size limit (MB)"), default=10)
    blank_form = models.FileField(
        _("blank form"),
        upload_to="services/forms/",
        blank=True,
        max_length=200,
        validators=[validate_guide_document],
    )
    sample = models.FileField(
        _("filled sample"),
        upload_to="services/samples/",
        blank=True,
        max_length=200,
        validators=[validate_guide_document],
    )
    certificate_type = models.ForeignKey(
        CertificateType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacing e-certificate type"),
        help_text=_("An e-certificate of this type replaces the material (材料免提交)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material requirement")
        verbose_name_plural = _("material requirements")
        ordering = ["service", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="one_material_per_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """In English, the English name of the e-certificate it is, when one is kept."""
        ctype = self.certificate_type
        if get_language() == "en" and ctype is not None and ctype.name_en:
            return ctype.name_en
        return self.name

    def clean(self) -> None:
        if self.requirement == self.Requirement.CONDITIONAL and not self.condition:
            raise ValidationError({"condition": _("Say when a conditional material is required.")})

    @property
    def file_type_list(self) -> list[str]:
        return [t.strip().lower() for t in self.file_types.split(",") if t.strip()]


class ReviewStep(models.Model):
    """One ordered back-office step (审核, 审批 …) of a service, by a department and role."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="review_steps", verbose_name=_("service")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("name"), max_length=50)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=[
            (StaffRole.REVIEWER.value, StaffRole.REVIEWER.label),
            (StaffRole.DEPARTMENT_ADMIN.value, StaffRole.DEPARTMENT_ADMIN.label),
        ],
        default=StaffRole.REVIEWER,
    )

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")
        ordering = ["service", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def following(self) -> ReviewStep | None:
        """The service's next step in (order, id): two steps given one order both run."""
        later = Q(order__gt=self.order) | Q(order=self.order, pk__gt=self.pk)
        return (
            ReviewStep.objects.filter(later, service_id=self.service_id)
            .order_by("order", "id")
            .first()
        )


class SearchToken(models.Model):
    """A search key of a service (a word, a pinyin spelling, a synonym, the code) and its
    weight; rebuilt by ``services.search.index_services`` whenever the service is saved."""

    # Indexed by (service, token) below: scoring a matched service reads only its matching tokens.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="search_tokens", db_index=False
    )
    token = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        constraints = [
            models.UniqueConstraint(fields=["token", "service"], name="one_weight_per_token"),
        ]
        indexes = [
            # LIKE 'x%' uses this index on PostgreSQL whatever the database's collation.
            models.Index(
                fields=["token"], name="search_token_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["service", "token"],
                name="search_token_by_service",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.token

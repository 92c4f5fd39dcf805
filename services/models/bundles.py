"""一件事 bundles: several services of several departments applied for as one."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import ApplicantKind, Service


class LifeEvent(models.TextChoices):
    BIRTH = "birth", _("Birth")
    EDUCATION = "education", _("Schooling")
    EMPLOYMENT = "employment", _("Work and social security")
    HEALTH = "health", _("Health and disability")
    RETIREMENT = "retirement", _("Retirement")
    DEATH = "death", _("After a death")
    STARTING_BUSINESS = "starting_business", _("Starting a business")
    RUNNING_BUSINESS = "running_business", _("Running a business")
    CLOSING_BUSINESS = "closing_business", _("Closing a business")


class BundleQuerySet(models.QuerySet["Bundle"]):
    def published(self) -> BundleQuerySet:
        return self.filter(is_published=True)


class Bundle(models.Model):
    """A 一件事 bundle: member services applied for with one form and one set of materials."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    life_event = models.CharField(_("life or business event"), max_length=30, choices=LifeEvent)
    applicant_kind = models.CharField(
        _("who may apply"), max_length=20, choices=ApplicantKind, default=ApplicantKind.PERSON
    )
    services: models.ManyToManyField[Service, BundleMember] = models.ManyToManyField(
        Service, through="BundleMember", related_name="bundles", verbose_name=_("services")
    )
    is_published = models.BooleanField(_("published"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = BundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("bundle (一件事)")
        verbose_name_plural = _("bundles (一件事)")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        return self.name_en if get_language() == "en" and self.name_en else self.name


class BundleMember(models.Model):
    """A service within a bundle: always part of it, or chosen by the applicant."""

    bundle = models.ForeignKey(
        Bundle, on_delete=models.CASCADE, related_name="members", verbose_name=_("bundle")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    required = models.BooleanField(
        _("always included"), default=True, help_text=_("Otherwise the applicant chooses it.")
    )
    condition = models.CharField(
        _("condition"),
        max_length=200,
        blank=True,
        help_text=_("When an optional member applies, in the applicant's words."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("bundle member")
        verbose_name_plural = _("bundle members")
        ordering = ["bundle", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "service"], name="one_membership_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.bundle} · {self.service}"

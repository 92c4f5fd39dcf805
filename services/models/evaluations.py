"""Ratings (好差评) and the follow-up of bad ones (差评整改).

An ``Evaluation`` rates one finished application (online, 一事一评) or one finished window visit
(on site, 一次一评). Where the service was given (department, service, hall, window, the staff
member) is copied onto the row when the rating is made, so that figures group by plain columns
without joining the case. Only ``services.rating`` creates ratings and only
``services.rectification`` changes a ``Rectification``'s status (one event row per change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Department, ServiceHall, User
from services.models.applications import Application
from services.models.catalogue import Service

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Level(models.IntegerChoices):
    """The five levels of GB/T 39734-2020; 1 and 2 are bad ratings (差评)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


BAD_LEVELS = frozenset({Level.DISSATISFIED, Level.VERY_DISSATISFIED})
# The share of these among the ratings is the satisfaction rate.
SATISFIED_LEVELS = frozenset({Level.VERY_SATISFIED, Level.SATISFIED, Level.FAIRLY_SATISFIED})


class EvaluationChannel(models.TextChoices):
    ONLINE = "online", pgettext_lazy("rating channel", "Online")
    ON_SITE = "on_site", pgettext_lazy("rating channel", "On site")


# Indicator columns by channel (besides the overall level).
ONLINE_INDICATORS = ("efficiency", "guide_accuracy", "convenience", "platform_ease")
ON_SITE_INDICATORS = ("efficiency", "service_level", "attitude")
INDICATOR_LABELS = {
    "efficiency": _("Efficiency"),
    "guide_accuracy": _("Accuracy of the service guide"),
    "convenience": _("Convenience"),
    "platform_ease": _("Ease of use of the platform"),
    "service_level": _("Service level"),
    "attitude": _("Attitude"),
}


def _indicator(label: StrOrPromise) -> models.PositiveSmallIntegerField:  # type: ignore[type-arg]
    return models.PositiveSmallIntegerField(label, null=True, blank=True, choices=Level.choices)


class Evaluation(models.Model):
    """One rating of one finished case or one finished window visit; never changed once
    given, except for one follow-up comment and the ``excluded`` mark of an overturned appeal."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation",
        verbose_name=_("application"),
    )
    ticket = models.OneToOneField(
        "services.Ticket",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation",
        verbose_name=_("window visit"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=EvaluationChannel.choices)
    level = models.PositiveSmallIntegerField(_("overall"), choices=Level.choices)
    efficiency = _indicator(_("efficiency"))
    guide_accuracy = _indicator(_("accuracy of the service guide"))
    convenience = _indicator(_("convenience"))
    platform_ease = _indicator(_("ease of use of the platform"))
    service_level = _indicator(_("service level"))
    attitude = _indicator(_("attitude"))
    comment = models.TextField(_("comment"), blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    follow_up = models.TextField(_("follow-up comment"), blank=True)
    follow_up_at = models.DateTimeField(_("follow-up given"), null=True, blank=True)
    rater = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluations",
        verbose_name=_("rated by"),
    )
    defaulted = models.BooleanField(
        _("satisfied by default"),
        default=False,
        help_text=_("Not rated in time: counted as satisfied."),
    )
    excluded = models.BooleanField(
        _("excluded from the figures"),
        default=False,
        help_text=_("A malicious rating overturned on appeal: kept, but not counted."),
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)
    created_on = models.DateField(_("rating date"), default=timezone.localdate, db_index=True)

    # Where the service was given, copied when the rating is made.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service hall"),
    )
    window = models.ForeignKey(
        "services.Window",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("window"),
    )
    staff = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
        help_text=_("The clerk or reviewer who decided the case, or the clerk at the window."),
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False, ticket__isnull=True)
                | Q(application__isnull=True, ticket__isnull=False),
                name="evaluation_rates_a_case_or_a_visit",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="evaluation_level_1_to_5"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"evaluation_{name}_1_to_5",
                )
                for name in INDICATOR_LABELS
            ),
        ]
        indexes = [
            models.Index(fields=["department", "created_on"], name="evaluation_by_department"),
            models.Index(fields=["service", "created_on"], name="evaluation_by_service"),
            models.Index(fields=["hall", "created_on"], name="evaluation_by_hall"),
            models.Index(fields=["window", "created_on"], name="evaluation_by_window"),
            models.Index(fields=["staff", "created_on"], name="evaluation_by_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ({self.created_on})"

    @property
    def is_bad(self) -> bool:
        """A 差评 (2 or 1), which opens a rectification."""
        return self.level in BAD_LEVELS

    def indicators(self) -> list[tuple[str, int]]:
        """(label, level) of each indicator given, in the channel's order."""
        names = (
            ONLINE_INDICATORS if self.channel == EvaluationChannel.ONLINE else ON_SITE_INDICATORS
        )
        return [
            (str(INDICATOR_LABELS[name]), value)
            for name in names
            if (value := getattr(self, name)) is not None
        ]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("To investigate")
    INVESTIGATING = "investigating", _("Being investigated")
    CLASSIFIED = "classified", _("Classified, to act on")
    ACTED = "acted", _("Acted on, to call back")
    CALLED_BACK = "called_back", _("Called back, to answer")
    ANSWERED = "answered", _("Answered, awaiting the applicant")
    CLOSED = "closed", pgettext_lazy("rectification", "Closed")
    APPEALED = "appealed", _("Appealed, awaiting the decision")
    OVERTURNED = "overturned", _("Rating overturned on appeal")


RECTIFICATION_FINAL = frozenset({RectificationStatus.CLOSED, RectificationStatus.OVERTURNED})
# The department's clock runs in these (not while the applicant or the administrator is asked).
RECTIFICATION_OPEN = frozenset(
    {
        RectificationStatus.OPEN,
        RectificationStatus.INVESTIGATING,
        RectificationStatus.CLASSIFIED,
        RectificationStatus.ACTED,
        RectificationStatus.CALLED_BACK,
    }
)


class Classification(models.TextChoices):
    REASONABLE = "reasonable", _("Reasonable: rectify")
    COMPLEX = "complex", _("Complex: rectify by a later deadline")
    NO_LEGAL_BASIS = "no_legal_basis", _("Without legal basis: explain")


class Rectification(models.Model):
    """The follow-up of one bad rating by the department that handled the case: investigate,
    classify, act, call the applicant back, answer him; he says whether he is satisfied."""

    evaluation = models.OneToOneField(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="rectification",
        verbose_name=_("rating"),
    )
    # A visit to a hall's general window may have no department: system administrators answer.
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    staff = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member involved"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
        db_index=True,
    )
    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, blank=True
    )
    finding = models.TextField(_("what the investigation found"), blank=True)
    action_taken = models.TextField(_("what was done"), blank=True)
    call_back_note = models.TextField(_("call-back notes"), blank=True)
    called_back_at = models.DateTimeField(_("called back"), null=True, blank=True)
    answer = models.TextField(_("answer to the applicant"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    applicant_satisfied = models.BooleanField(
        _("applicant satisfied with the answer"), null=True, blank=True
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_on = models.DateField(_("opening date"), default=timezone.localdate, db_index=True)
    due_date = models.DateField(_("answer due by"))
    due_provisional = models.BooleanField(_("due date provisional"), default=False)
    appeal_by = models.DateField(_("appeal possible until"))
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["department", "status"], name="rectification_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.get_status_display()}"

    @property
    def reference(self) -> str:
        """The rectification's number as staff quote it."""
        return f"ZG{self.pk:08d}"

    def is_final(self) -> bool:
        """Nothing more will happen to this rectification."""
        return self.status in RECTIFICATION_FINAL

    def answered_on_time(self) -> bool | None:
        """Whether the answer came by the due date (None while not answered)."""
        if self.answered_at is None:
            return None
        return timezone.localdate(self.answered_at) <= self.due_date


class RectificationEvent(models.Model):
    """One change of a rectification: who, when, from which status to which, and the note."""

    rectification = models.ForeignKey(
        Rectification,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("rectification"),
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
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    note = models.TextField(_("note"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class AppealDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting the decision")
    UPHELD = "upheld", _("Rating upheld")
    OVERTURNED = "overturned", _("Rating overturned")


class Appeal(models.Model):
    """A department's claim that a bad rating is malicious, decided by a system administrator:
    an upheld rating stays; an overturned one is kept but left out of the figures."""

    rectification = models.OneToOneField(
        Rectification,
        on_delete=models.CASCADE,
        related_name="appeal",
        verbose_name=_("rectification"),
    )
    reason = models.TextField(_("why the rating is malicious"))
    made_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("appealed by")
    )
    made_at = models.DateTimeField(_("appealed"), default=timezone.now)
    decision = models.CharField(
        _("decision"),
        max_length=12,
        choices=AppealDecision.choices,
        default=AppealDecision.PENDING,
        db_index=True,
    )
    decision_note = models.TextField(_("reasons for the decision"), blank=True)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rectification}: {self.get_decision_display()}"

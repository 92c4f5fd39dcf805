"""Reservations (预约) and the hall queue (取号、叫号): windows, slots, bookings and tickets.

Only ``services.booking`` changes slots and bookings, and only ``services.queueing`` changes
tickets; each change writes one ``ReservationEvent``. A slot's ``booked`` count moves by a
conditional UPDATE and the database refuses a count above capacity or below zero, so no
interleaving of requests can overbook a slot (ADR 0012).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Department, Organisation, ServiceCategory, ServiceHall, User
from services.models.booking_keys import BookingKey
from services.models.bundles import Bundle
from services.models.catalogue import Service

__all__ = [
    "LIVE_BOOKING_STATUSES",
    "Booking",
    "BookingBlock",
    "BookingKey",
    "BookingStatus",
    "ReservationEvent",
    "Slot",
    "SlotTemplate",
    "Ticket",
    "TicketStatus",
    "Window",
    "WindowGroup",
    "WindowKind",
    "WindowShift",
]


class WindowGroup(models.Model):
    """A queue of a hall (窗口分组): the services it takes, its ticket letter (A023) and, from
    the windows that serve it, the places each of its slots offers."""

    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.CASCADE,
        related_name="window_groups",
        verbose_name=_("service hall"),
    )
    letter = models.CharField(
        _("ticket letter"),
        max_length=1,
        help_text=_("Tickets of this queue start with it, e.g. A for A023."),
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    services = models.ManyToManyField(
        Service, blank=True, related_name="window_groups", verbose_name=_("services")
    )
    categories = models.ManyToManyField(
        ServiceCategory,
        blank=True,
        related_name="window_groups",
        verbose_name=_("service categories"),
        help_text=_("Every service of these categories is taken by this queue too."),
    )
    takes_results = models.BooleanField(
        _("hands results out"),
        default=False,
        help_text=_("The queue of the results window (出件): visitors collecting a result."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("window group")
        verbose_name_plural = _("window groups")
        ordering = ["hall", "order", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "letter"], name="one_ticket_letter_per_hall"),
            models.CheckConstraint(
                condition=Q(letter__regex=r"^[A-Z]$"), name="window_group_letter_is_a_capital"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"

    @property
    def display_name(self) -> str:
        """The name in the current language (the Chinese one when no English is kept)."""
        from django.utils.translation import get_language

        return self.name_en if get_language() == "en" and self.name_en else self.name


class WindowKind(models.TextChoices):
    GENERAL = "general", _("General intake window (综合窗口)")
    RESULTS = "results", _("Results window (出件窗口)")
    DEPARTMENT = "department", _("Department window")


class Window(models.Model):
    """A counter (窗口) of a hall: the queues it calls from, and the clerks at it (shifts)."""

    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.CASCADE,
        related_name="windows",
        verbose_name=_("service hall"),
    )
    number = models.CharField(
        pgettext_lazy("window", "number"), max_length=10, help_text=_("As shown above it: 3, B2…")
    )
    kind = models.CharField(
        pgettext_lazy("window", "kind"),
        max_length=12,
        choices=WindowKind.choices,
        default=WindowKind.GENERAL,
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="windows",
        verbose_name=_("department"),
        help_text=_("For a department's own window."),
    )
    groups = models.ManyToManyField(
        WindowGroup, related_name="windows", verbose_name=_("queues served")
    )
    is_open = models.BooleanField(
        _("in service"), default=True, help_text=_("A window out of service adds no places.")
    )

    class Meta:
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="one_window_number_per_hall"),
            models.CheckConstraint(
                condition=~Q(kind="department") | Q(department__isnull=False),
                name="department_window_has_department",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Window %(number)s") % {"number": self.number})


class WindowShift(models.Model):
    """A clerk staffing a window on a day: he may call that window's queues that day only."""

    window = models.ForeignKey(
        Window, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("window")
    )
    clerk = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="window_shifts", verbose_name=_("clerk")
    )
    day = models.DateField(_("day"), default=timezone.localdate)

    class Meta:
        verbose_name = _("window shift")
        verbose_name_plural = _("window shifts")
        ordering = ["-day", "window"]
        constraints = [
            models.UniqueConstraint(
                fields=["window", "clerk", "day"], name="one_shift_per_clerk_window_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.window} {self.day} {self.clerk}"


class SlotTemplate(models.Model):
    """How a hall's working days are cut into slots: e.g. every 30 minutes from 9:00 to 12:00,
    each slot offering ``places_per_window`` for every window serving a queue."""

    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.CASCADE,
        related_name="slot_templates",
        verbose_name=_("service hall"),
    )
    starts_at = models.TimeField(_("first slot starts"))
    ends_at = models.TimeField(_("last slot ends"))
    minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    places_per_window = models.PositiveSmallIntegerField(_("places per window and slot"), default=2)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("slot template")
        verbose_name_plural = _("slot templates")
        ordering = ["hall", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="template_ends_later"
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=5, minutes__lte=240), name="template_slot_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.starts_at:%H:%M}–{self.ends_at:%H:%M} / {self.minutes}′"

    def times(self) -> list[tuple[dt.time, dt.time]]:
        """(start, end) of each slot the template cuts out of a day."""
        day = dt.date(2000, 1, 3)
        start = dt.datetime.combine(day, self.starts_at)
        end = dt.datetime.combine(day, self.ends_at)
        step = dt.timedelta(minutes=self.minutes)
        cuts = []
        while start + step <= end:
            cuts.append((start.time(), (start + step).time()))
            start += step
        return cuts


class Slot(models.Model):
    """A bookable time at a hall for one queue, with its places. ``booked`` is changed only by
    ``services.booking`` through conditional UPDATEs; the constraints make overbooking an
    error of the database, not of timing."""

    hall = models.ForeignKey(
        ServiceHall, on_delete=models.CASCADE, related_name="slots", verbose_name=_("service hall")
    )
    group = models.ForeignKey(
        WindowGroup, on_delete=models.CASCADE, related_name="slots", verbose_name=_("queue")
    )
    day = models.DateField(_("day"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_reason = models.CharField(_("why closed"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        ordering = ["starts_at", "group"]
        constraints = [
            models.UniqueConstraint(fields=["group", "starts_at"], name="one_slot_per_queue_time"),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(booked__gte=0), name="slot_booked_not_negative"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_later"),
        ]
        indexes = [models.Index(fields=["hall", "day", "starts_at"], name="slot_hall_day")]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.group.letter} {local:%Y-%m-%d %H:%M}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    def has_started(self, now: dt.datetime | None = None) -> bool:
        """Whether the slot's time has begun (it can no longer be booked)."""
        return self.starts_at <= (now or timezone.now())


class BookingStatus(models.TextChoices):
    BOOKED = "booked", pgettext_lazy("booking status", "Booked")
    CHECKED_IN = "checked_in", pgettext_lazy("booking status", "Checked in")
    LATE = "late", pgettext_lazy("booking status", "Arrived late: queued as a walk-in")
    SERVED = "served", pgettext_lazy("booking status", "Served")
    CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")
    CLOSED = "closed", pgettext_lazy("booking status", "Cancelled by the hall")
    NO_SHOW = "no_show", pgettext_lazy("booking status", "Missed")


# A live booking holds a place (BOOKED) or its holder is in the hall (CHECKED_IN).
LIVE_BOOKING_STATUSES = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)


class Booking(models.Model):
    """A person's booked place in a slot, for a service or a bundle (预约), with its code."""

    # Unique through booking_code below (no LIKE index: nothing searches codes by prefix).
    code = models.CharField(_("booking code"), max_length=12)
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("slot")
    )
    # The slot's day, kept on the row so that the database can say "one a day" (constraint).
    day = models.DateField(_("day"))
    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("service hall"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("service"),
    )
    bundle = models.ForeignKey(
        Bundle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="bookings",
        verbose_name=_("bundle"),
    )
    person = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        db_index=False,  # booking_person_status leads with it
        related_name="bookings",
        verbose_name=_("booked by"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,  # a partial index below
        related_name="bookings",
        verbose_name=_("on behalf of"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=BookingStatus.choices,
        default=BookingStatus.BOOKED,
    )
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False, bundle__isnull=True)
                | Q(service__isnull=True, bundle__isnull=False),
                name="booking_for_a_service_or_a_bundle",
            ),
            models.UniqueConstraint(
                fields=["person", "service", "day"],
                condition=Q(status__in=LIVE_BOOKING_STATUSES, service__isnull=False),
                name="one_live_booking_per_person_service_day",
            ),
            models.UniqueConstraint(
                fields=["person", "bundle", "day"],
                condition=Q(status__in=LIVE_BOOKING_STATUSES, bundle__isnull=False),
                name="one_live_booking_per_person_bundle_day",
            ),
            models.UniqueConstraint(fields=["code"], name="booking_code"),
        ]
        # Each index is written by every booking and every status change (migration 0014).
        indexes = [
            models.Index(fields=["person", "status"], name="booking_person_status"),
            models.Index(fields=["day", "status"], name="booking_day_status"),
            models.Index(fields=["status"], name="booking_status"),
            models.Index(
                fields=["bundle"], condition=Q(bundle__isnull=False), name="booking_bundle"
            ),
            models.Index(
                fields=["organisation"],
                condition=Q(organisation__isnull=False),
                name="booking_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def is_live(self) -> bool:
        return self.status in LIVE_BOOKING_STATUSES

    def title(self) -> str:
        """What is booked, in the current language."""
        subject = self.service or self.bundle
        return subject.display_name if subject is not None else ""


class TicketStatus(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("ticket status", "Waiting")
    CALLED = "called", pgettext_lazy("ticket status", "Called")
    DONE = "done", pgettext_lazy("ticket status", "Served")
    NO_SHOW = "no_show", pgettext_lazy("ticket status", "Did not come when called")
    CANCELLED = "cancelled", pgettext_lazy("ticket status", "Cancelled")


class Ticket(models.Model):
    """A queue number (排队号, e.g. A023) given on arrival: for a checked-in booking, which goes
    before walk-ins, or for a walk-in."""

    hall = models.ForeignKey(
        ServiceHall,
        on_delete=models.CASCADE,
        related_name="tickets",
        verbose_name=_("service hall"),
    )
    group = models.ForeignKey(
        WindowGroup, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("queue")
    )
    day = models.DateField(_("day"))
    serial = models.PositiveIntegerField(_("serial"))
    number = models.CharField(_("ticket number"), max_length=8)
    booking = models.OneToOneField(
        Booking,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ticket",
        verbose_name=_("booking"),
    )
    # Bookings checked in within their slot are called before walk-ins (ADR 0012).
    priority = models.BooleanField(_("booked"), default=False)
    person = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("visitor"),
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("service"),
    )
    bundle = models.ForeignKey(
        Bundle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("bundle"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TicketStatus.choices,
        default=TicketStatus.WAITING,
        db_index=True,
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    window = models.ForeignKey(
        Window,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("window"),
    )
    called_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("times called"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # A keyed hash (``identity.blind_index``) of the ID or mobile number a kiosk visitor typed
    # for a walk-in ticket: it limits one person's live tickets per queue without keeping the
    # number itself.
    holder_index = models.CharField(_("holder index"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["day", "group", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["group", "day", "serial"], name="one_ticket_number"),
        ]
        indexes = [
            models.Index(
                fields=["group", "day", "status", "-priority", "issued_at"], name="ticket_queue"
            ),
            models.Index(
                fields=["group", "day", "holder_index"],
                name="ticket_holder",
                condition=~models.Q(holder_index=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class BookingBlock(models.Model):
    """Online booking refused to a person until ``until`` (after repeated no-shows)."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="booking_blocks", verbose_name=_("account")
    )
    starts_at = models.DateTimeField(pgettext_lazy("booking block", "from"), default=timezone.now)
    until = models.DateTimeField(pgettext_lazy("booking block", "until"))
    reason = models.CharField(_("why"), max_length=200, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    class Meta:
        verbose_name = _("booking block")
        verbose_name_plural = _("booking blocks")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(until__gt=F("starts_at")), name="block_ends_later"),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {timezone.localtime(self.until):%Y-%m-%d}"

    def is_active(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.lifted_at is None and self.starts_at <= now < self.until


class ReservationEvent(models.Model):
    """One change of a booking or a ticket: who, when, from which status to which."""

    booking = models.ForeignKey(
        Booking,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("booking"),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        db_index=False,  # a partial index below: a booking's events name no ticket
        related_name="events",
        verbose_name=_("ticket"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("reservation event")
        verbose_name_plural = _("reservation events")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booking__isnull=False) | Q(ticket__isnull=False),
                name="reservation_event_has_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["ticket"],
                condition=Q(ticket__isnull=False),
                name="reservation_event_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

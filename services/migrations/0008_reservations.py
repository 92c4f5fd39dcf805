"""Reservations and the hall queue: window groups, windows, shifts, slot templates, slots,
bookings, tickets, booking blocks and their events (ADR 0012)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0007_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Slot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("ends_at", models.DateTimeField(verbose_name="ends")),
                ("capacity", models.PositiveSmallIntegerField(verbose_name="places")),
                ("booked", models.PositiveSmallIntegerField(default=0, verbose_name="booked")),
                (
                    "closed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
                ),
                (
                    "closed_reason",
                    models.CharField(blank=True, max_length=200, verbose_name="why closed"),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slots",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
            ],
            options={
                "verbose_name": "slot",
                "verbose_name_plural": "slots",
                "ordering": ["starts_at", "group"],
            },
        ),
        migrations.CreateModel(
            name="Booking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(max_length=12, unique=True, verbose_name="booking code")),
                ("day", models.DateField(verbose_name="day")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("checked_in", "Checked in"),
                            ("late", "Arrived late: queued as a walk-in"),
                            ("served", "Served"),
                            ("cancelled", "Cancelled"),
                            ("closed", "Cancelled by the hall"),
                            ("no_show", "Missed"),
                        ],
                        db_index=True,
                        default="booked",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="booked at")),
                ("changed_at", models.DateTimeField(auto_now=True, verbose_name="changed")),
                (
                    "reminded_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
                ),
                (
                    "bundle",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="services.bundle",
                        verbose_name="bundle",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="portal.organisation",
                        verbose_name="on behalf of",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="booked by",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="services.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "slot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="services.slot",
                        verbose_name="slot",
                    ),
                ),
            ],
            options={
                "verbose_name": "booking",
                "verbose_name_plural": "bookings",
                "ordering": ["slot__starts_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="SlotTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_at", models.TimeField(verbose_name="first slot starts")),
                ("ends_at", models.TimeField(verbose_name="last slot ends")),
                (
                    "minutes",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="slot length (minutes)"
                    ),
                ),
                (
                    "places_per_window",
                    models.PositiveSmallIntegerField(
                        default=2, verbose_name="places per window and slot"
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slot_templates",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
            ],
            options={
                "verbose_name": "slot template",
                "verbose_name_plural": "slot templates",
                "ordering": ["hall", "starts_at"],
            },
        ),
        migrations.CreateModel(
            name="Ticket",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("serial", models.PositiveIntegerField(verbose_name="serial")),
                ("number", models.CharField(max_length=8, verbose_name="ticket number")),
                ("priority", models.BooleanField(default=False, verbose_name="booked")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting"),
                            ("called", "Called"),
                            ("done", "Served"),
                            ("no_show", "Did not come when called"),
                            ("cancelled", "Cancelled"),
                        ],
                        db_index=True,
                        default="waiting",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                (
                    "issued_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="issued at"
                    ),
                ),
                (
                    "called_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="called at"),
                ),
                ("calls", models.PositiveSmallIntegerField(default=0, verbose_name="times called")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "booking",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ticket",
                        to="services.booking",
                        verbose_name="booking",
                    ),
                ),
                (
                    "bundle",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="services.bundle",
                        verbose_name="bundle",
                    ),
                ),
                (
                    "called_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="called by",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tickets",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="visitor",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="services.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "ticket",
                "verbose_name_plural": "tickets",
                "ordering": ["day", "group", "serial"],
            },
        ),
        migrations.CreateModel(
            name="ReservationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="when"),
                ),
                ("action", models.CharField(max_length=20, verbose_name="action")),
                ("from_status", models.CharField(blank=True, max_length=12, verbose_name="from")),
                ("to_status", models.CharField(max_length=12, verbose_name="to")),
                ("detail", models.JSONField(blank=True, default=dict, verbose_name="detail")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="who",
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="services.booking",
                        verbose_name="booking",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="services.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={
                "verbose_name": "reservation event",
                "verbose_name_plural": "reservation events",
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="Window",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.CharField(
                        help_text="As shown above it: 3, B2…", max_length=10, verbose_name="number"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("general", "General intake window (综合窗口)"),
                            ("results", "Results window (出件窗口)"),
                            ("department", "Department window"),
                        ],
                        default="general",
                        max_length=12,
                        verbose_name="kind",
                    ),
                ),
                (
                    "is_open",
                    models.BooleanField(
                        default=True,
                        help_text="A window out of service adds no places.",
                        verbose_name="in service",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        help_text="For a department's own window.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="windows",
                        to="portal.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="windows",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
            ],
            options={
                "verbose_name": "window",
                "verbose_name_plural": "windows",
                "ordering": ["hall", "number"],
            },
        ),
        migrations.AddField(
            model_name="ticket",
            name="window",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="services.window",
                verbose_name="window",
            ),
        ),
        migrations.CreateModel(
            name="WindowGroup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "letter",
                    models.CharField(
                        help_text="Tickets of this queue start with it, e.g. A for A023.",
                        max_length=1,
                        verbose_name="ticket letter",
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=200, verbose_name="English name"),
                ),
                (
                    "takes_results",
                    models.BooleanField(
                        default=False,
                        help_text="The queue of the results window (出件): visitors collecting a result.",
                        verbose_name="hands results out",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "categories",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Every service of these categories is taken by this queue too.",
                        related_name="window_groups",
                        to="portal.servicecategory",
                        verbose_name="service categories",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="window_groups",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
                (
                    "services",
                    models.ManyToManyField(
                        blank=True,
                        related_name="window_groups",
                        to="services.service",
                        verbose_name="services",
                    ),
                ),
            ],
            options={
                "verbose_name": "window group",
                "verbose_name_plural": "window groups",
                "ordering": ["hall", "order", "letter"],
            },
        ),
        migrations.AddField(
            model_name="window",
            name="groups",
            field=models.ManyToManyField(
                related_name="windows", to="services.windowgroup", verbose_name="queues served"
            ),
        ),
        migrations.AddField(
            model_name="ticket",
            name="group",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tickets",
                to="services.windowgroup",
                verbose_name="queue",
            ),
        ),
        migrations.AddField(
            model_name="slot",
            name="group",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="slots",
                to="services.windowgroup",
                verbose_name="queue",
            ),
        ),
        migrations.CreateModel(
            name="WindowShift",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "day",
                    models.DateField(default=django.utils.timezone.localdate, verbose_name="day"),
                ),
                (
                    "clerk",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="window_shifts",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="clerk",
                    ),
                ),
                (
                    "window",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shifts",
                        to="services.window",
                        verbose_name="window",
                    ),
                ),
            ],
            options={
                "verbose_name": "window shift",
                "verbose_name_plural": "window shifts",
                "ordering": ["-day", "window"],
            },
        ),
        migrations.CreateModel(
            name="BookingBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "starts_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="from"),
                ),
                ("until", models.DateTimeField(verbose_name="until")),
                ("reason", models.CharField(blank=True, max_length=200, verbose_name="why")),
                (
                    "lifted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="lifted at"),
                ),
                (
                    "lifted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="lifted by",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="booking_blocks",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "booking block",
                "verbose_name_plural": "booking blocks",
                "ordering": ["-starts_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("until__gt", models.F("starts_at"))),
                        name="block_ends_later",
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["person", "status"], name="booking_person_status"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["day", "status"], name="booking_day_status"),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("bundle__isnull", True), ("service__isnull", False)),
                    models.Q(("bundle__isnull", False), ("service__isnull", True)),
                    _connector="OR",
                ),
                name="booking_for_a_service_or_a_bundle",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("service__isnull", False), ("status__in", ("booked", "checked_in"))
                ),
                fields=("person", "service", "day"),
                name="one_live_booking_per_person_service_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("bundle__isnull", False), ("status__in", ("booked", "checked_in"))
                ),
                fields=("person", "bundle", "day"),
                name="one_live_booking_per_person_bundle_day",
            ),
        ),
        migrations.AddConstraint(
            model_name="slottemplate",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                name="template_ends_later",
            ),
        ),
        migrations.AddConstraint(
            model_name="slottemplate",
            constraint=models.CheckConstraint(
                condition=models.Q(("minutes__gte", 5), ("minutes__lte", 240)),
                name="template_slot_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="reservationevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("booking__isnull", False), ("ticket__isnull", False), _connector="OR"
                ),
                name="reservation_event_has_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="windowgroup",
            constraint=models.UniqueConstraint(
                fields=("hall", "letter"), name="one_ticket_letter_per_hall"
            ),
        ),
        migrations.AddConstraint(
            model_name="windowgroup",
            constraint=models.CheckConstraint(
                condition=models.Q(("letter__regex", "^[A-Z]$")),
                name="window_group_letter_is_a_capital",
            ),
        ),
        migrations.AddConstraint(
            model_name="window",
            constraint=models.UniqueConstraint(
                fields=("hall", "number"), name="one_window_number_per_hall"
            ),
        ),
        migrations.AddConstraint(
            model_name="window",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "department"), _negated=True),
                    ("department__isnull", False),
                    _connector="OR",
                ),
                name="department_window_has_department",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["group", "day", "status", "-priority", "issued_at"], name="ticket_queue"
            ),
        ),
        migrations.AddConstraint(
            model_name="ticket",
            constraint=models.UniqueConstraint(
                fields=("group", "day", "serial"), name="one_ticket_number"
            ),
        ),
        migrations.AddIndex(
            model_name="slot",
            index=models.Index(fields=["hall", "day", "starts_at"], name="slot_hall_day"),
        ),
        migrations.AddConstraint(
            model_name="slot",
            constraint=models.UniqueConstraint(
                fields=("group", "starts_at"), name="one_slot_per_queue_time"
            ),
        ),
        migrations.AddConstraint(
            model_name="slot",
            constraint=models.CheckConstraint(
                condition=models.Q(("booked__lte", models.F("capacity"))),
                name="slot_not_overbooked",
            ),
        ),
        migrations.AddConstraint(
            model_name="slot",
            constraint=models.CheckConstraint(
                condition=models.Q(("booked__gte", 0)), name="slot_booked_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="slot",
            constraint=models.CheckConstraint(
                condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="slot_ends_later"
            ),
        ),
        migrations.AddConstraint(
            model_name="windowshift",
            constraint=models.UniqueConstraint(
                fields=("window", "clerk", "day"), name="one_shift_per_clerk_window_day"
            ),
        ),
    ]

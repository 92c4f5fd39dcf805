"""Ratings (好差评) of cases and window visits, and the rectification of bad ones with its events
and appeals (ADR 0013)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_reference_names"),
        ("services", "0008_reservations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Evaluation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("online", "Online"), ("on_site", "On site")],
                        max_length=10,
                        verbose_name="channel",
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        verbose_name="overall",
                    ),
                ),
                (
                    "efficiency",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="efficiency",
                    ),
                ),
                (
                    "guide_accuracy",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="accuracy of the service guide",
                    ),
                ),
                (
                    "convenience",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="convenience",
                    ),
                ),
                (
                    "platform_ease",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="ease of use of the platform",
                    ),
                ),
                (
                    "service_level",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="service level",
                    ),
                ),
                (
                    "attitude",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (5, "Very satisfied"),
                            (4, "Satisfied"),
                            (3, "Fairly satisfied"),
                            (2, "Dissatisfied"),
                            (1, "Very dissatisfied"),
                        ],
                        null=True,
                        verbose_name="attitude",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("tags", models.JSONField(blank=True, default=list, verbose_name="tags")),
                ("follow_up", models.TextField(blank=True, verbose_name="follow-up comment")),
                (
                    "follow_up_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="follow-up given"),
                ),
                (
                    "defaulted",
                    models.BooleanField(
                        default=False,
                        help_text="Not rated in time: counted as satisfied.",
                        verbose_name="satisfied by default",
                    ),
                ),
                (
                    "excluded",
                    models.BooleanField(
                        default=False,
                        help_text="A malicious rating overturned on appeal: kept, but not counted.",
                        verbose_name="excluded from the figures",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="rated"),
                ),
                (
                    "created_on",
                    models.DateField(
                        db_index=True,
                        default=django.utils.timezone.localdate,
                        verbose_name="rating date",
                    ),
                ),
                (
                    "application",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evaluation",
                        to="services.application",
                        verbose_name="application",
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "hall",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.servicehall",
                        verbose_name="service hall",
                    ),
                ),
                (
                    "rater",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evaluations",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="rated by",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="services.service",
                        verbose_name="service",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True,
                        help_text="The clerk or reviewer who decided the case, or the clerk at the window.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member",
                    ),
                ),
                (
                    "ticket",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evaluation",
                        to="services.ticket",
                        verbose_name="window visit",
                    ),
                ),
                (
                    "window",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="services.window",
                        verbose_name="window",
                    ),
                ),
            ],
            options={
                "verbose_name": "rating",
                "verbose_name_plural": "ratings",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="Rectification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "To investigate"),
                            ("investigating", "Being investigated"),
                            ("classified", "Classified, to act on"),
                            ("acted", "Acted on, to call back"),
                            ("called_back", "Called back, to answer"),
                            ("answered", "Answered, awaiting the applicant"),
                            ("closed", "Closed"),
                            ("appealed", "Appealed, awaiting the decision"),
                            ("overturned", "Rating overturned on appeal"),
                        ],
                        db_index=True,
                        default="open",
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                (
                    "classification",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("reasonable", "Reasonable: rectify"),
                            ("complex", "Complex: rectify by a later deadline"),
                            ("no_legal_basis", "Without legal basis: explain"),
                        ],
                        max_length=16,
                        verbose_name="classification",
                    ),
                ),
                (
                    "finding",
                    models.TextField(blank=True, verbose_name="what the investigation found"),
                ),
                ("action_taken", models.TextField(blank=True, verbose_name="what was done")),
                ("call_back_note", models.TextField(blank=True, verbose_name="call-back notes")),
                (
                    "called_back_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="called back"),
                ),
                ("answer", models.TextField(blank=True, verbose_name="answer to the applicant")),
                (
                    "answered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="answered"),
                ),
                (
                    "applicant_satisfied",
                    models.BooleanField(
                        blank=True, null=True, verbose_name="applicant satisfied with the answer"
                    ),
                ),
                (
                    "opened_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="opened"),
                ),
                (
                    "opened_on",
                    models.DateField(
                        db_index=True,
                        default=django.utils.timezone.localdate,
                        verbose_name="opening date",
                    ),
                ),
                ("due_date", models.DateField(verbose_name="answer due by")),
                (
                    "due_provisional",
                    models.BooleanField(default=False, verbose_name="due date provisional"),
                ),
                ("appeal_by", models.DateField(verbose_name="appeal possible until")),
                (
                    "overdue",
                    models.BooleanField(db_index=True, default=False, verbose_name="overdue"),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed")),
                (
                    "department",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="portal.department",
                        verbose_name="department",
                    ),
                ),
                (
                    "evaluation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rectification",
                        to="services.evaluation",
                        verbose_name="rating",
                    ),
                ),
                (
                    "staff",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="staff member involved",
                    ),
                ),
            ],
            options={
                "verbose_name": "rectification",
                "verbose_name_plural": "rectifications",
                "ordering": ["due_date", "id"],
            },
        ),
        migrations.CreateModel(
            name="Appeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(verbose_name="why the rating is malicious")),
                (
                    "made_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="appealed"
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting the decision"),
                            ("upheld", "Rating upheld"),
                            ("overturned", "Rating overturned"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=12,
                        verbose_name="decision",
                    ),
                ),
                (
                    "decision_note",
                    models.TextField(blank=True, verbose_name="reasons for the decision"),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="decided by",
                    ),
                ),
                (
                    "made_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="appealed by",
                    ),
                ),
                (
                    "rectification",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="appeal",
                        to="services.rectification",
                        verbose_name="rectification",
                    ),
                ),
            ],
            options={
                "verbose_name": "appeal",
                "verbose_name_plural": "appeals",
                "ordering": ["-made_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="RectificationEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="when")),
                ("action", models.CharField(max_length=24, verbose_name="action")),
                ("from_status", models.CharField(blank=True, max_length=16, verbose_name="from")),
                ("to_status", models.CharField(max_length=16, verbose_name="to")),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                    "rectification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="services.rectification",
                        verbose_name="rectification",
                    ),
                ),
            ],
            options={
                "verbose_name": "rectification event",
                "verbose_name_plural": "rectification events",
                "ordering": ["at", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["department", "created_on"], name="evaluation_by_department"
            ),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["service", "created_on"], name="evaluation_by_service"),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["hall", "created_on"], name="evaluation_by_hall"),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["window", "created_on"], name="evaluation_by_window"),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(fields=["staff", "created_on"], name="evaluation_by_staff"),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("application__isnull", False), ("ticket__isnull", True)),
                    models.Q(("application__isnull", True), ("ticket__isnull", False)),
                    _connector="OR",
                ),
                name="evaluation_rates_a_case_or_a_visit",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(("level__gte", 1), ("level__lte", 5)),
                name="evaluation_level_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("efficiency__isnull", True),
                    models.Q(("efficiency__gte", 1), ("efficiency__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_efficiency_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("guide_accuracy__isnull", True),
                    models.Q(("guide_accuracy__gte", 1), ("guide_accuracy__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_guide_accuracy_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("convenience__isnull", True),
                    models.Q(("convenience__gte", 1), ("convenience__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_convenience_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("platform_ease__isnull", True),
                    models.Q(("platform_ease__gte", 1), ("platform_ease__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_platform_ease_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("service_level__isnull", True),
                    models.Q(("service_level__gte", 1), ("service_level__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_service_level_1_to_5",
            ),
        ),
        migrations.AddConstraint(
            model_name="evaluation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("attitude__isnull", True),
                    models.Q(("attitude__gte", 1), ("attitude__lte", 5)),
                    _connector="OR",
                ),
                name="evaluation_attitude_1_to_5",
            ),
        ),
        migrations.AddIndex(
            model_name="rectification",
            index=models.Index(fields=["department", "status"], name="rectification_queue"),
        ),
    ]

"""The statistics dashboard (issue 13, ADR 0014): the per-day case summary (CaseDay, with the
CountedDay rows saying which days it holds), indexes on cases by the day they were submitted,
accepted and completed, and on supplement requests by status; on PostgreSQL also the
number of distinct rating groups, without which the planner expects a hundred thousand groups
where a year has a few hundred and sorts the year's ratings on disk instead of hashing them."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

COLUMNS = "department_id, service_id, hall_id, window_id, staff_id, excluded"


def create_statistics(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS evaluation_rating_groups (ndistinct) "
            f"ON {COLUMNS} FROM services_evaluation"
        )


def drop_statistics(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS evaluation_rating_groups")


class Migration(migrations.Migration):
    dependencies = [("services", "0009_evaluations")]

    operations = [
        migrations.CreateModel(
            name="CountedDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(unique=True, verbose_name="day")),
                ("counted_at", models.DateTimeField(null=True, verbose_name="counted")),
            ],
            options={"verbose_name": "counted day", "verbose_name_plural": "counted days"},
        ),
        migrations.CreateModel(
            name="CaseDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                ("received", models.PositiveIntegerField(default=0, verbose_name="received")),
                ("accepted", models.PositiveIntegerField(default=0, verbose_name="accepted")),
                ("completed", models.PositiveIntegerField(default=0, verbose_name="completed")),
                (
                    "on_time",
                    models.PositiveIntegerField(default=0, verbose_name="completed on time"),
                ),
                (
                    "supplemented",
                    models.PositiveIntegerField(default=0, verbose_name="asked for a supplement"),
                ),
                (
                    "wd_n",
                    models.PositiveIntegerField(
                        default=0, verbose_name="completed cases with working days"
                    ),
                ),
                (
                    "wd_sum",
                    models.PositiveIntegerField(
                        default=0, verbose_name="working days to complete, summed"
                    ),
                ),
                (
                    "provisional",
                    models.BooleanField(default=False, verbose_name="calendar provisional"),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="services.service",
                        verbose_name="service",
                    ),
                ),
            ],
            options={
                "verbose_name": "case figures of a day",
                "verbose_name_plural": "case figures of days",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "service"), name="one_case_day_per_service"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["submitted_at", "service"], name="application_submitted"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["accepted_at", "service"], name="application_accepted"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["completed_at", "service", "accepted_at", "due_date"],
                name="application_completed",
            ),
        ),
        migrations.AddIndex(
            model_name="applicationevent",
            index=models.Index(fields=["to_status", "application"], name="event_by_to_status"),
        ),
        migrations.RunPython(create_statistics, drop_statistics, elidable=False),
    ]

"""Indexes for the statistics dashboard (issue 13, ADR 0014): cases by the day they were
submitted, accepted and completed, and supplement requests by status; on PostgreSQL also the
number of distinct rating groups, without which the planner expects a hundred thousand groups
where a year has a few hundred and sorts the year's ratings on disk instead of hashing them."""

from typing import Any

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

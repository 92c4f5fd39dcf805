"""Booking idempotency keys in the database, written with the booking (issue 12)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0010_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BookingKey",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100, verbose_name="Idempotency-Key")),
                (
                    "fingerprint",
                    models.CharField(max_length=64, verbose_name="request fingerprint"),
                ),
                ("answer", models.JSONField(verbose_name="answer")),
                (
                    "created_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="created"
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="keys",
                        to="services.booking",
                        verbose_name="booking",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "booking request key",
                "verbose_name_plural": "booking request keys",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("person", "key"), name="one_booking_key_per_person"
                    )
                ],
            },
        ),
    ]

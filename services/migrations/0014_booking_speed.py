"""Booking speed (issue 12): fewer indexes to write for each booking and its event.

Every index is written on each insert, and on each status change (a status in an index makes
the update move the row in every index): a booking wrote 14 index entries and its event 4.
Checked against the queries that read bookings and events:

* Dropped: the LIKE (varchar_pattern_ops) indexes of code and status; nothing searches them
  by prefix (the admin's code search is a case-insensitive contains, which they do not serve).
  The code stays unique through booking_code, the status indexed through booking_status.
* Dropped, covered by a composite index that leads with the column: person
  (booking_person_status, and the one-a-day constraints).
* Partial (WHERE ... IS NOT NULL): the bundle and the organisation of a booking, which most
  bookings leave empty, and the ticket of an event, which a booking's events leave empty. Their
  readers all name a value (PROTECT's check before deleting the linked row, a ticket's events).
* Kept: the primary key, code, slot, hall, service, status, the one-a-day constraint and the
  two composites; the event's booking and actor.

A booking writes 9 index entries, its event 3. New indexes and constraints come first, so
nothing is ever unindexed or not unique.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_reference_names"),
        ("services", "0013_search_words"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["status"], name="booking_status"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                condition=models.Q(("bundle__isnull", False)),
                fields=["bundle"],
                name="booking_bundle",
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                condition=models.Q(("organisation__isnull", False)),
                fields=["organisation"],
                name="booking_organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="reservationevent",
            index=models.Index(
                condition=models.Q(("ticket__isnull", False)),
                fields=["ticket"],
                name="reservation_event_ticket",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(fields=("code",), name="booking_code"),
        ),
        migrations.AlterField(
            model_name="booking",
            name="bundle",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bookings",
                to="services.bundle",
                verbose_name="bundle",
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="code",
            field=models.CharField(max_length=12, verbose_name="booking code"),
        ),
        migrations.AlterField(
            model_name="booking",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bookings",
                to="portal.organisation",
                verbose_name="on behalf of",
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="bookings",
                to=settings.AUTH_USER_MODEL,
                verbose_name="booked by",
            ),
        ),
        migrations.AlterField(
            model_name="booking",
            name="status",
            field=models.CharField(
                choices=[
                    ("booked", "Booked"),
                    ("checked_in", "Checked in"),
                    ("late", "Arrived late: queued as a walk-in"),
                    ("served", "Served"),
                    ("cancelled", "Cancelled"),
                    ("closed", "Cancelled by the hall"),
                    ("no_show", "Missed"),
                ],
                default="booked",
                max_length=12,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="reservationevent",
            name="ticket",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="services.ticket",
                verbose_name="ticket",
            ),
        ),
    ]

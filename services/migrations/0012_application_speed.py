"""Submit speed (issue 8): fewer indexes on services_application to write.

Every index is written on each insert, and on each update that moves the row (a status change
is not a HOT update while an index covers the status), so an online submit wrote 27 index
entries. Checked against the queries that read applications:

* Dropped, covered by a composite index that leads with the column: status and routed_at
  (application_routing), applicant (application_by_applicant), assigned_to
  (application_queue), hall (application_intake).
* Dropped: the LIKE (varchar_pattern_ops) indexes of status, tracking_token and
  acceptance_number; nothing searches them by prefix. Both stay unique, the acceptance number
  through a partial index of the numbers given.
* Partial (WHERE ... IS NOT NULL): the links most cases leave empty (bundle, parent,
  organisation, taken_in_by, review_step, result_certificate). Their readers all name a
  value: a bundle's children, an organisation's cases, PROTECT's check before deleting the
  linked row.
* Kept: the primary key, service, the idempotency key, the pickup code, the four work-queue
  composites and the statistics dashboard's date indexes (0010).

New indexes and constraints come first, so nothing is ever unindexed or not unique.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import services.models.applications


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0011_booking_keys"),
        ("certificates", "0004_holders_by_code"),
        ("portal", "0006_reference_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                fields=("tracking_token",), name="application_tracking_token"
            ),
        ),
        migrations.AddConstraint(
            model_name="application",
            constraint=models.UniqueConstraint(
                condition=models.Q(("acceptance_number__isnull", False)),
                fields=("acceptance_number",),
                name="application_acceptance_number",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("bundle__isnull", False)),
                fields=["bundle"],
                name="application_bundle",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("parent__isnull", False)),
                fields=["parent"],
                name="application_parent",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("organisation__isnull", False)),
                fields=["organisation"],
                name="application_organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("taken_in_by__isnull", False)),
                fields=["taken_in_by"],
                name="application_taken_in_by",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("review_step__isnull", False)),
                fields=["review_step"],
                name="application_review_step",
            ),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                condition=models.Q(("result_certificate__isnull", False)),
                fields=["result_certificate"],
                name="application_result_certificate",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="acceptance_number",
            field=models.CharField(
                blank=True, max_length=40, null=True, verbose_name="acceptance number"
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="applicant",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="applicant",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assigned_applications",
                to=settings.AUTH_USER_MODEL,
                verbose_name="reviewer",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="bundle",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="services.bundle",
                verbose_name="bundle",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="hall",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="portal.servicehall",
                verbose_name="service hall",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="portal.organisation",
                verbose_name="on behalf of",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="children",
                to="services.application",
                verbose_name="bundle application",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="result_certificate",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.certificate",
                verbose_name="result certificate",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="review_step",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="services.reviewstep",
                verbose_name="review step",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="routed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="routed"),
        ),
        migrations.AlterField(
            model_name="application",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted, awaiting acceptance"),
                    ("awaiting_supplement", "Supplement requested"),
                    ("not_accepted", "Not accepted"),
                    ("in_review", "Accepted, in review"),
                    ("review_supplement", "Supplement requested during review"),
                    ("approved", "Approved"),
                    ("denied", "Denied"),
                    ("result_issued", "Result ready"),
                    ("completed", "Completed"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=24,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="taken_in_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="taken in by",
            ),
        ),
        migrations.AlterField(
            model_name="application",
            name="tracking_token",
            field=models.CharField(
                default=services.models.applications.new_tracking_token,
                max_length=32,
                verbose_name="tracking token",
            ),
        ),
    ]

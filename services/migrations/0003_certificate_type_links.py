"""The catalogue names certificate types by foreign key instead of by unchecked code: the old
code columns are kept under *_code until 0004 has mapped them and 0005 drops them."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0004_holders_by_code"),
        ("services", "0002_calendar"),
    ]

    operations = [
        migrations.RenameField(
            model_name="service",
            old_name="result_certificate_type",
            new_name="result_certificate_type_code",
        ),
        migrations.RenameField(
            model_name="materialrequirement",
            old_name="certificate_type",
            new_name="certificate_type_code",
        ),
        migrations.AddField(
            model_name="service",
            name="result_certificate_type",
            field=models.ForeignKey(
                blank=True,
                help_text="The e-certificate type the service issues, if any.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.certificatetype",
                verbose_name="result certificate type",
            ),
        ),
        migrations.AddField(
            model_name="materialrequirement",
            name="certificate_type",
            field=models.ForeignKey(
                blank=True,
                help_text="An e-certificate of this type replaces the material (材料免提交).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="certificates.certificatetype",
                verbose_name="replacing e-certificate type",
            ),
        ),
    ]

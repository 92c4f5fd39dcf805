from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0004_link_certificate_types")]

    operations = [
        migrations.RemoveField(model_name="service", name="result_certificate_type_code"),
        migrations.RemoveField(model_name="materialrequirement", name="certificate_type_code"),
    ]

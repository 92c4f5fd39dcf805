from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0006_applications")]

    operations: list = []

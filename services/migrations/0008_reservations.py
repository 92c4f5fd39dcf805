from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0007_search")]

    operations: list = []

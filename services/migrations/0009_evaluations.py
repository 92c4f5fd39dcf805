from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0008_reservations")]

    operations: list = []

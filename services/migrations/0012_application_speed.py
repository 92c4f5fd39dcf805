"""Reserved: submit speed (issue 8)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0011_booking_keys")]

    operations: list = []

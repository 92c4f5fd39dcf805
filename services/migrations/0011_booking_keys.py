"""Reserved: booking idempotency keys and walk-in no-shows (issue 12)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0010_statistics")]

    operations: list = []

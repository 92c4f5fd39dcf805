"""Reserved: indexes or summaries for the statistics dashboard (issue 13)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0009_evaluations")]

    operations: list = []

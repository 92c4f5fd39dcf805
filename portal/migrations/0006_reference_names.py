from django.db import migrations, models


class Migration(migrations.Migration):
    """Service halls keep an English name, address and opening hours beside the Chinese."""

    dependencies = [("portal", "0005_notification_params")]

    operations = [
        migrations.AddField(
            model_name="servicehall",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="English name"),
        ),
        migrations.AddField(
            model_name="servicehall",
            name="address_en",
            field=models.CharField(blank=True, max_length=300, verbose_name="English address"),
        ),
        migrations.AddField(
            model_name="servicehall",
            name="opening_hours_en",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="opening hours in English"
            ),
        ),
    ]

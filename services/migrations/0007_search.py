import django.db.models.deletion
from django.db import migrations, models


def seed_words(apps, schema_editor):
    """The seed vocabulary (services/search/seed_words.txt): everyday words, filler, areas,
    narrowing words. Administrators edit them in the admin afterwards."""
    from services.search.vocabulary import seed_rows

    SearchWord = apps.get_model("services", "SearchWord")
    rows = {(kind, phrase): means for kind, phrase, means in seed_rows() if phrase}
    SearchWord.objects.bulk_create(
        [SearchWord(kind=k, phrase=p, means=m) for (k, p), m in rows.items()],
        ignore_conflicts=True,
    )


def unseed_words(apps, schema_editor):
    apps.get_model("services", "SearchWord").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0006_applications")]

    operations = [
        migrations.CreateModel(
            name="SearchMiss",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "query",
                    models.CharField(max_length=120, unique=True, verbose_name="query (masked)"),
                ),
                ("count", models.PositiveIntegerField(default=1, verbose_name="times asked")),
                ("first_seen", models.DateTimeField(auto_now_add=True, verbose_name="first asked")),
                (
                    "last_seen",
                    models.DateTimeField(auto_now=True, db_index=True, verbose_name="last asked"),
                ),
            ],
            options={
                "verbose_name": "query without results",
                "verbose_name_plural": "queries without results",
                "ordering": ["-count", "-last_seen"],
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phrase",
                    models.CharField(
                        help_text="As residents type it, simplified Chinese or English in lower case.",
                        max_length=40,
                        verbose_name="word or phrase",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("colloquial", "Everyday word for official words"),
                            ("filler", "Filler word (ignored)"),
                            ("area", "Area name (boost, not required)"),
                            ("narrowing", "Narrowing word (ranks lower unless asked for)"),
                        ],
                        db_index=True,
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "means",
                    models.CharField(
                        blank=True,
                        help_text="For an everyday word: the official words it means, separated by spaces. For an area: other names of the area.",
                        max_length=200,
                        verbose_name="official words",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
                "ordering": ["kind", "phrase"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("phrase", "kind"), name="one_search_word_per_kind"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="BundleSearchToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=64)),
                ("weight", models.PositiveSmallIntegerField()),
                (
                    "bundle",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_tokens",
                        to="services.bundle",
                    ),
                ),
            ],
            options={
                "verbose_name": "bundle search token",
                "verbose_name_plural": "bundle search tokens",
                "indexes": [
                    models.Index(
                        fields=["token"],
                        name="bundle_search_token_prefix",
                        opclasses=["varchar_pattern_ops"],
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("token", "bundle"), name="one_weight_per_bundle_token"
                    )
                ],
            },
        ),
        migrations.RunPython(seed_words, unseed_words),
    ]

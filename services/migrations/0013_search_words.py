"""The vocabulary corrected on 2026-12-06 (ADR 0011), for databases seeded before: 过户 alone
means a transfer registration of any kind (it named property, so 二手车过户 found the property
services); the property, vehicle and driving-test phrases are added. A row an administrator has
since edited is left as he made it."""

from django.db import migrations

CHANGED = [  # (phrase, seeded meaning, corrected meaning), all everyday (colloquial) words
    ("房子过户", "不动产 继承登记", "不动产转移登记 不动产"),
    ("过户", "不动产 登记", "转移登记"),
]
ADDED = [
    ("房屋过户", "不动产转移登记 不动产"),
    ("房产过户", "不动产转移登记 不动产"),
    ("二手车过户", "机动车转移登记"),
    ("车辆过户", "机动车转移登记"),
    ("汽车过户", "机动车转移登记"),
    ("房子", "不动产"),
    ("考驾照", "机动车驾驶人考试 驾驶证申领"),
    ("学车", "机动车驾驶人考试 驾驶证申领"),
]


def correct(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    for phrase, seeded, corrected in CHANGED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=seeded).update(
            means=corrected
        )
    SearchWord.objects.bulk_create(
        [SearchWord(kind="colloquial", phrase=p, means=m) for p, m in ADDED],
        ignore_conflicts=True,
    )


def undo(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    for phrase, seeded, corrected in CHANGED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=corrected).update(
            means=seeded
        )
    for phrase, means in ADDED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=means).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0012_application_speed")]

    operations = [migrations.RunPython(correct, undo)]

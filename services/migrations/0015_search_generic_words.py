"""The vocabulary corrected on 2026-12-07 (ADR 0011), for databases seeded before.

- Generic words: narrowing words that name an action or a kind of paper (补领, 转移, 证明;
  permit) are marked by the meaning ``generic``; beside a word that names a thing they rank
  but never keep a service alone (营业执照丢了 no longer finds 补领婚姻登记证 first). 证明 and
  换证 and a few English words are new narrowing words: run ``manage.py reindex_catalogue``
  once so that names carrying 证明 or 换证 weigh what a narrowing word weighs.
- 房产证, 房本, 红本 meant phrases no service name has (不动产权证书, 不动产登记): now 不动产.
- Umbrella and everyday words: 婚姻登记, 婚姻, 死亡, 房产, 换证, 改名字, 名字, business licence.

A row an administrator has since edited is left as he made it.
"""

from django.db import migrations

GENERIC = "generic"

CHANGED = [  # (phrase, seeded meaning, corrected meaning), all everyday (colloquial) words
    ("房产证", "不动产权证书 不动产登记", "不动产"),
    ("房本", "不动产 不动产登记", "不动产"),
    ("红本", "不动产 不动产登记", "不动产"),
]
ADDED = [
    ("换证", "换领 换证"),
    ("婚姻登记", "结婚登记 离婚登记 婚姻登记"),
    ("婚姻", "结婚登记 离婚登记 婚姻登记"),
    ("死亡", "死亡 身后"),
    ("房产", "不动产"),
    ("改名字", "变更登记 变更"),
    ("名字", "变更"),
    ("business license", "营业执照 设立登记"),
    ("business registration", "设立登记 营业执照"),
]
# Narrowing words seeded before that are generic.
MARKED = [
    "补领",
    "换领",
    "补换",
    "挂失",
    "注销",
    "变更",
    "延续",
    "简易",
    "转移",
    "迁出",
    "撤销",
    "暂停",
]
# New generic narrowing words.
NEW_GENERIC = [
    "证明",
    "换证",
    "service",
    "services",
    "permit",
    "certificate",
    "application",
    "registration",
]


def correct(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    for phrase, seeded, corrected in CHANGED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=seeded).update(
            means=corrected
        )
    SearchWord.objects.bulk_create(
        [SearchWord(kind="colloquial", phrase=p, means=m) for p, m in ADDED]
        + [SearchWord(kind="narrowing", phrase=p, means=GENERIC) for p in NEW_GENERIC],
        ignore_conflicts=True,
    )
    SearchWord.objects.filter(kind="narrowing", phrase__in=MARKED, means="").update(means=GENERIC)


def undo(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    SearchWord.objects.filter(kind="narrowing", phrase__in=MARKED, means=GENERIC).update(means="")
    SearchWord.objects.filter(kind="narrowing", phrase__in=NEW_GENERIC, means=GENERIC).delete()
    for phrase, means in ADDED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=means).delete()
    for phrase, seeded, corrected in CHANGED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=corrected).update(
            means=seeded
        )


class Migration(migrations.Migration):
    dependencies = [("services", "0014_booking_speed")]

    operations = [migrations.RunPython(correct, undo)]

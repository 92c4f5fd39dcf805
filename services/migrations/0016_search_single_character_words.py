"""Everyday words added on 2026-12-07 (ADR 0011), for databases seeded before.

- One-character verbs where jieba leaves them alone: 取住房公积金 and 公积金怎么提 ask for a
  withdrawal (取, 提: 提取), 社保卡怎么领 for an issue (领: 申领); the scan for phrases skips
  one-character words, so they never split a word (领取, 取消).
- 提现, 取钱 (withdrawal), 不见 (lost), 高血压 and 糖尿病 (the outpatient special diseases).

Depends on 0017 (numbered before it, written after it) so that the services app keeps one
line of migrations. No index change: no ``reindex_catalogue`` is needed.
"""

from django.db import migrations

ADDED = [
    ("取", "提取"),
    ("提", "提取"),
    ("领", "申领 领取"),
    ("换", "换领 换证"),
    ("补", "补领 补换"),
    ("迁", "迁移"),
    ("转", "转移"),
    ("提现", "提取"),
    ("取钱", "提取"),
    ("不见", "补领 挂失 补换"),
    ("高血压", "门诊特定病种"),
    ("糖尿病", "门诊特定病种"),
]


def add(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    SearchWord.objects.bulk_create(
        [SearchWord(kind="colloquial", phrase=p, means=m) for p, m in ADDED],
        ignore_conflicts=True,
    )


def remove(apps, schema_editor):
    SearchWord = apps.get_model("services", "SearchWord")
    for phrase, means in ADDED:
        SearchWord.objects.filter(kind="colloquial", phrase=phrase, means=means).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0017_ticket_holder_index")]

    operations = [migrations.RunPython(add, remove)]

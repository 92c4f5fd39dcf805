"""Migration 0013 corrects the vocabulary of databases seeded before 过户 was fixed, and leaves
an administrator's own edit alone."""

import importlib

import pytest
from django.apps import apps

from services.models import SearchWord

pytestmark = pytest.mark.django_db

migration = importlib.import_module("services.migrations.0013_search_words")


def test_an_old_seed_is_corrected_and_an_edited_word_is_kept():
    SearchWord.objects.filter(phrase__in=["过户", "房子过户", "二手车过户"]).delete()
    SearchWord.objects.create(kind="colloquial", phrase="过户", means="不动产 登记")
    SearchWord.objects.create(kind="colloquial", phrase="房子过户", means="房屋 买卖")  # edited

    migration.correct(apps, None)

    means = dict(SearchWord.objects.values_list("phrase", "means"))
    assert means["过户"] == "转移登记"
    assert means["房子过户"] == "房屋 买卖"
    assert means["二手车过户"] == "机动车转移登记"


generic = importlib.import_module("services.migrations.0015_search_generic_words")


def test_generic_words_are_marked_and_useless_meanings_corrected():
    """Migration 0015 on a database seeded before: 补领 becomes generic, 证明 a new generic
    word, 房产证 means what names say (不动产); an administrator's own meaning stays."""
    SearchWord.objects.filter(phrase__in=["补领", "证明", "房产证", "房本", "婚姻登记"]).delete()
    SearchWord.objects.create(kind="narrowing", phrase="补领", means="")
    SearchWord.objects.create(kind="colloquial", phrase="房产证", means="不动产权证书 不动产登记")
    SearchWord.objects.create(kind="colloquial", phrase="房本", means="不动产 房屋")  # edited

    generic.correct(apps, None)

    rows = {(k, p): m for k, p, m in SearchWord.objects.values_list("kind", "phrase", "means")}
    assert rows[("narrowing", "补领")] == "generic"
    assert rows[("narrowing", "证明")] == "generic"
    assert rows[("colloquial", "房产证")] == "不动产"
    assert rows[("colloquial", "房本")] == "不动产 房屋"
    assert rows[("colloquial", "婚姻登记")] == "结婚登记 离婚登记 婚姻登记"


single = importlib.import_module("services.migrations.0016_search_single_character_words")


def test_one_character_verbs_are_added_and_an_edited_word_is_kept():
    """Migration 0016 on a database seeded before: 取 means 提取 again (取住房公积金 finds the
    withdrawals); an administrator's own meaning of 提现 stays."""
    SearchWord.objects.filter(phrase__in=["取", "提现"]).delete()
    SearchWord.objects.create(kind="colloquial", phrase="提现", means="提取住房公积金")  # edited

    single.add(apps, None)

    means = dict(SearchWord.objects.filter(kind="colloquial").values_list("phrase", "means"))
    assert means["取"] == "提取"
    assert means["提现"] == "提取住房公积金"

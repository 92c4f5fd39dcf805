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

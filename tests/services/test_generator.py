"""The benchmark catalogue generator: plausible, searchable, replaceable."""

import pytest
from django.core.management import call_command

from portal import demo
from services import search
from services.models import Service

pytestmark = pytest.mark.django_db


def test_the_generator_makes_a_searchable_catalogue_and_replaces_it(capsys):
    demo.load()
    call_command("generate_catalogue", services=300, departments=6)
    assert "300 services of 6 departments" in capsys.readouterr().out
    generated = Service.objects.filter(code__startswith="G")
    assert generated.count() == 300
    assert generated.values("department").distinct().count() == 6
    assert search.search("yyzz").filter(code__startswith="G").exists()
    call_command("generate_catalogue", services=100, departments=6)
    assert Service.objects.filter(code__startswith="G").count() == 100

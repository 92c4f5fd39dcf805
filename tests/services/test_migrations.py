"""Migration 0004: the catalogue's certificate type codes become links to the types."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import DepartmentFactory

BEFORE = [("services", "0003_certificate_type_links")]
AFTER = [("services", "0004_link_certificate_types")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_codes_become_links_and_unknown_codes_are_listed_and_left_empty(capsys):
    try:
        apps = _migrate(BEFORE)
        definer = DepartmentFactory(code="11100000000013338W")
        CertificateType = apps.get_model("certificates", "CertificateType")
        Service = apps.get_model("services", "Service")
        Material = apps.get_model("services", "MaterialRequirement")
        register = CertificateType.objects.create(
            code="11100000000013338W012", name="户口簿", defining_department_id=definer.pk
        )
        department = apps.get_model("portal", "Department").objects.get(pk=definer.pk)
        category = apps.get_model("portal", "ServiceCategory").objects.create(code="x", name="x")
        common = {"department": department, "category": category, "form_definition": {}}
        known = Service.objects.create(
            code="S-1",
            name="出生登记",
            statutory_limit_days=5,
            promised_limit_days=5,
            result_certificate_type_code="11100000000013338w012 ",
            **common,
        )
        unknown = Service.objects.create(
            code="S-2",
            name="身份证",
            statutory_limit_days=5,
            promised_limit_days=5,
            result_certificate_type_code="11100000000013338W001",
            **common,
        )
        Material.objects.create(
            service=known, key="household-register", certificate_type_code="11100000000013338W012"
        )
        Material.objects.create(service=unknown, key="id", certificate_type_code="NOPE")
        Material.objects.create(service=unknown, key="photo")
        capsys.readouterr()

        apps = _migrate(AFTER)
        Service = apps.get_model("services", "Service")
        Material = apps.get_model("services", "MaterialRequirement")
        assert Service.objects.get(code="S-1").result_certificate_type_id == register.pk
        assert Service.objects.get(code="S-2").result_certificate_type_id is None
        links = dict(Material.objects.values_list("key", "certificate_type_id"))
        assert links == {"household-register": register.pk, "id": None, "photo": None}
        report = capsys.readouterr().out
        assert "2 catalogue links name certificate type codes that do not exist" in report
        assert "service S-2: result 11100000000013338W001" in report
        assert "service S-2, material id: NOPE" in report
        assert "S-1" not in report
    finally:
        call_command("migrate", verbosity=0)

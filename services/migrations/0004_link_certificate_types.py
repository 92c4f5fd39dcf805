"""Links each catalogue row to the certificate type its old code named. A code naming no type
cannot be linked: the link is left empty and the migration lists every such row (service code,
material key, the code) so that an administrator can choose the type in the admin, or, for the
demo, ``manage.py demo`` links them again. Kept in its own migration: PostgreSQL refuses to alter
a table in the transaction that updated its rows under deferred foreign keys."""

import sys

from django.db import migrations


def _types(apps):
    CertificateType = apps.get_model("certificates", "CertificateType")
    return dict(CertificateType.objects.values_list("code", "pk"))


def _link(apps, schema_editor):
    Service = apps.get_model("services", "Service")
    MaterialRequirement = apps.get_model("services", "MaterialRequirement")
    types = _types(apps)
    unknown = []
    for service in Service.objects.exclude(result_certificate_type_code="").order_by("code"):
        code = service.result_certificate_type_code.strip().upper()
        service.result_certificate_type_id = types.get(code)
        service.save(update_fields=["result_certificate_type"])
        if code not in types:
            unknown.append(f"service {service.code}: result {code}")
    materials = MaterialRequirement.objects.exclude(certificate_type_code="").select_related(
        "service"
    )
    for material in materials.order_by("service__code", "key"):
        code = material.certificate_type_code.strip().upper()
        material.certificate_type_id = types.get(code)
        material.save(update_fields=["certificate_type"])
        if code not in types:
            unknown.append(f"service {material.service.code}, material {material.key}: {code}")
    if unknown:
        sys.stdout.write(
            f"\n  {len(unknown)} catalogue links name certificate type codes that do not "
            "exist; they are left empty (choose the type in the admin, or run manage.py demo):\n"
            + "".join(f"    {line}\n" for line in unknown)
        )


def _unlink(apps, schema_editor):
    Service = apps.get_model("services", "Service")
    MaterialRequirement = apps.get_model("services", "MaterialRequirement")
    for service in Service.objects.filter(result_certificate_type__isnull=False).select_related(
        "result_certificate_type"
    ):
        service.result_certificate_type_code = service.result_certificate_type.code
        service.save(update_fields=["result_certificate_type_code"])
    for material in MaterialRequirement.objects.filter(
        certificate_type__isnull=False
    ).select_related("certificate_type"):
        material.certificate_type_code = material.certificate_type.code
        material.save(update_fields=["certificate_type_code"])


class Migration(migrations.Migration):
    dependencies = [("services", "0003_certificate_type_links")]

    operations = [migrations.RunPython(_link, _unlink)]

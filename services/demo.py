"""Demo catalogue: Guangzhou's departments' services with materials, forms and review steps,
and bundles from the State Council's first "高效办成一件事" list, read from ``demo_data/``:

- ``catalogue.json``: extra departments and categories, halls, legal bases, certificate types;
- ``fields.json``: the form questions by key (a bundle asks each key once);
- ``materials.json``: the materials by key, with the certificate type that replaces one;
- ``services.json``: the services (what a service leaves out is in ``defaults``);
- ``bundles.json``: the bundles and their member services, by name.

Runs after ``portal.demo`` (departments, categories, the main hall). Idempotent: services are
keyed by code, materials by key, bundles by slug; review steps and members are replaced.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction

from certificates import demo as certificates_demo
from certificates.models import CertificateType
from portal.demo import department_code
from portal.models import Department, ServiceCategory, ServiceHall, StaffRole
from services import bundles
from services.models import ApplicantKind, Bundle, MaterialRequirement, ReviewStep, Service


@dataclass
class _Catalogue:
    """What loading a service needs besides its own row."""

    departments: dict[str, Department]
    categories: dict[str, ServiceCategory]
    halls: dict[str, ServiceHall]
    main_hall: ServiceHall
    types: dict[str, CertificateType]
    fields: dict[str, Any]
    materials: dict[str, Any]
    catalogue: dict[str, Any]


def data(name: str) -> Any:
    """One of the demo's data files, parsed."""
    return json.loads((resources.files("services") / "demo_data" / name).read_text("utf-8"))


@transaction.atomic
def load() -> str:
    catalogue = data("catalogue.json")
    for row in catalogue["departments"]:
        Department.objects.update_or_create(
            code=department_code(row["org"]),
            defaults={"name": row["name"], "name_en": row["name_en"]},
        )
    for row in catalogue["categories"]:
        ServiceCategory.objects.update_or_create(code=row.pop("code"), defaults=row)
    types = _certificate_types(catalogue["certificate_types"])
    main = catalogue["main_hall"]
    halls = {
        main["name"]: ServiceHall.objects.filter(name=main["name"]).order_by("pk").first()
        # portal's demo makes it; loaded on its own, make it here
        or ServiceHall.objects.create(**main)
    }
    for row in catalogue["halls"]:
        name = row.pop("name")
        halls[name] = ServiceHall.objects.update_or_create(name=name, defaults=row)[0]
    services = data("services.json")
    context = _Catalogue(
        departments={d.code: d for d in Department.objects.all()},
        categories={c.code: c for c in ServiceCategory.objects.all()},
        halls=halls,
        main_hall=halls[main["name"]],
        types=types,
        fields=data("fields.json"),
        materials=data("materials.json"),
        catalogue=catalogue,
    )
    by_name = {
        row["name"]: _load_service({**services["defaults"], **row}, context)
        for row in services["services"]
    }
    bundle_rows = data("bundles.json")
    for order, row in enumerate(bundle_rows):
        members = [
            (by_name[m["service"]], "optional_if" not in m, m.get("optional_if", ""))
            for m in row.pop("members")
        ]
        bundle = Bundle.objects.update_or_create(
            slug=row.pop("slug"), defaults={**row, "order": order}
        )[0]
        bundles.add_members(bundle, members)
    departments = {row["department"] for row in services["services"]}
    return (
        f"{len(by_name)} services of {len(departments)} departments, "
        f"{len(bundle_rows)} bundles (一件事)"
    )


def _certificate_types(spec: dict[str, Any]) -> dict[str, CertificateType]:
    """The certificate types the catalogue names, by key: the certificate demo's (loaded here
    first, since this demo runs before it; it defines their codes) and the catalogue's own."""
    by_name = {ctype.name: ctype for ctype, _issuer, _values in certificates_demo._types()}
    types = {key: by_name[name] for key, name in spec["from_certificate_demo"].items()}
    ministries = {key: code for key, (code, _name, _en) in certificates_demo.MINISTRIES.items()}
    for key, row in spec["ministries"].items():
        ministries[key] = row["code"]
        Department.objects.update_or_create(code=row.pop("code"), defaults=row)
    for key, row in spec["types"].items():
        code = ministries[row.pop("ministry")]
        issuer = Department.objects.get(name=row.pop("issuer"))
        types[key], _created = CertificateType.objects.update_or_create(
            code=f"{code}{row.pop('seq'):03d}",
            defaults={**row, "defining_department": Department.objects.get(code=code)},
        )
        types[key].issuing_departments.add(issuer)
    return types


def _load_service(row: dict[str, Any], context: _Catalogue) -> Service:
    department = context.departments[department_code(row["department"])]
    category = context.categories[row["category"]]
    result = row.get("result", {})
    applicant = row["applicant"]
    conditions = context.catalogue["conditions"]
    copied = ("name", "name_en", "description", "kind", "fee", "online", "bookable")
    service, _created = Service.objects.update_or_create(
        code=row["code"],
        defaults={field: row[field] for field in copied}
        | {
            "department": department,
            "category": category,
            "applicant_kind": applicant,
            "statutory_limit_days": row["limits"][0],
            "promised_limit_days": row["limits"][1],
            "visits_needed": row["visits"],
            "legal_basis": context.catalogue["legal_basis"][category.code],
            "conditions": row["conditions"]
            or conditions["organisation" if applicant == ApplicantKind.ORGANISATION else "person"],
            "result_kind": result.get("kind", "none"),
            "result_name": result.get("name", ""),
            "result_certificate_type": context.types.get(result.get("certificate")),
            "form_definition": {
                "fields": [{"key": key, **context.fields[key]} for key in row["fields"]]
            },
        },
    )
    service.halls.set([context.main_hall, context.halls[row["hall"]]])
    conditional = row.get("conditional", {})
    for order, key in enumerate(row["materials"]):
        material = context.materials[key]
        MaterialRequirement.objects.update_or_create(
            service=service,
            key=key,
            defaults={
                "name": material["name"],
                "requirement": MaterialRequirement.Requirement.CONDITIONAL
                if key in conditional
                else MaterialRequirement.Requirement.REQUIRED,
                "condition": conditional.get(key, ""),
                "form": material["form"],
                "certificate_type": context.types.get(material.get("certificate")),
                "order": order,
                "file_types": "pdf,jpg,png",
                "max_size_mb": 10,
            },
        )
    service.materials.exclude(key__in=row["materials"]).delete()
    # The first step is a reviewer's, any later one the department administrator's. Updated in
    # place: cases in review point at their step.
    for n, name in enumerate(row["steps"], start=1):
        ReviewStep.objects.update_or_create(
            service=service,
            order=n,
            defaults={
                "name": name,
                "department": department,
                "role": StaffRole.REVIEWER if n == 1 else StaffRole.DEPARTMENT_ADMIN,
            },
        )
    service.review_steps.filter(order__gt=len(row["steps"])).delete()
    return service


def load_late() -> str:
    """Demo applications: they need the accounts, the catalogue and the certificates; then the
    hall's windows, slots, bookings and queue."""
    from services import demo_applications, demo_evaluations, demo_reservations

    return f"{demo_applications.load()}; {demo_reservations.load()}; {demo_evaluations.load()}"

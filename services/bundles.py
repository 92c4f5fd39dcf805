"""Merging a bundle's member services into one form and one material list (一表申请、一套材料).

Fields are merged by their key and materials by theirs: what several members ask for is asked
once. Two members using one field key for different types cannot share an answer, so that is a
conflict, refused when the bundle is saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certificates.models import CertificateType
from services.models import Bundle, BundleMember, MaterialRequirement, Service


@dataclass
class MergedField:
    """One question of the bundle's form and the member services that ask it."""

    key: str
    definition: dict[str, Any]
    service_codes: list[str] = field(default_factory=list)


@dataclass
class MergedMaterial:
    """One material of the bundle's list and the member services that need it."""

    key: str
    name: str
    required: bool
    conditions: list[str]
    form: str
    copies: int
    certificate_type: CertificateType | None
    service_codes: list[str] = field(default_factory=list)
    requirement: MaterialRequirement | None = None  # the first member's, for display

    @property
    def shared(self) -> bool:
        return len(self.service_codes) > 1


@dataclass
class MergedBundle:
    fields: list[MergedField]
    materials: list[MergedMaterial]

    @property
    def form_definition(self) -> dict[str, Any]:
        return {"fields": [f.definition for f in self.fields]}


@dataclass(frozen=True)
class Member:
    """What merging needs of a member: its service (materials prefetched) and whether the
    applicant must take it."""

    service: Service
    required: bool = True
    condition: str = ""


def merge(members: Sequence[Member]) -> MergedBundle:
    """The merged form and material list, or a ValidationError listing every conflict."""
    fields: dict[str, MergedField] = {}
    materials: dict[str, MergedMaterial] = {}
    conflicts: list[ValidationError] = []
    for member in members:
        service = member.service
        for spec in service.form_definition.get("fields", []):
            merged = fields.get(spec["key"])
            if merged is None:
                fields[spec["key"]] = MergedField(spec["key"], dict(spec), [service.code])
                continue
            if merged.definition["type"] != spec["type"]:
                conflicts.append(
                    ValidationError(
                        _(
                            "The field “%(key)s” is of type %(first)s in %(first_service)s but "
                            "%(second)s in %(second_service)s: rename one key or use one type."
                        ),
                        code="field_type_conflict",
                        params={
                            "key": spec["key"],
                            "first": merged.definition["type"],
                            "first_service": merged.service_codes[0],
                            "second": spec["type"],
                            "second_service": service.code,
                        },
                    )
                )
                continue
            merged.service_codes.append(service.code)
            if member.required and spec.get("required"):
                merged.definition["required"] = True
        for requirement in _materials_of(service):
            _merge_material(materials, member, requirement)
    if conflicts:
        raise ValidationError(conflicts)
    return MergedBundle(list(fields.values()), list(materials.values()))


def _materials_of(service: Service) -> Iterable[MaterialRequirement]:
    return service.materials.all()  # prefetched by the selectors


def _merge_material(
    materials: dict[str, MergedMaterial], member: Member, requirement: MaterialRequirement
) -> None:
    needed = member.required and requirement.requirement == requirement.Requirement.REQUIRED
    condition = requirement.condition
    if not member.required:
        condition = member.condition or str(
            _("if you choose “%(service)s”") % {"service": member.service.display_name}
        )
    merged = materials.get(requirement.key)
    if merged is None:
        materials[requirement.key] = MergedMaterial(
            key=requirement.key,
            name=requirement.name,
            required=needed,
            conditions=[] if needed or not condition else [condition],
            form=requirement.form,
            copies=requirement.copies,
            certificate_type=requirement.certificate_type,
            service_codes=[member.service.code],
            requirement=requirement,
        )
        return
    merged.service_codes.append(member.service.code)
    merged.copies = max(merged.copies, requirement.copies)
    merged.certificate_type = merged.certificate_type or requirement.certificate_type
    if needed:
        merged.required, merged.conditions = True, []
    elif not merged.required and condition and condition not in merged.conditions:
        merged.conditions.append(condition)


def members_of(bundle: Bundle) -> list[Member]:
    """The bundle's members in order; uses the prefetched ``members`` when there are any."""
    return [
        Member(m.service, m.required, m.condition)
        for m in bundle.members.all()  # prefetched with service__materials by the selectors
    ]


def merge_bundle(bundle: Bundle) -> MergedBundle:
    return merge(members_of(bundle))


def check_members(rows: Iterable[tuple[Service, bool, str]]) -> None:
    """Raise a ValidationError if these (service, required, condition) rows cannot merge;
    used before a bundle's members are saved."""
    services = [service for service, _required, _condition in rows]
    by_pk = {
        s.pk: s
        for s in Service.objects.filter(pk__in=[s.pk for s in services]).prefetch_related(
            "materials"
        )
    }
    merge(
        [
            Member(by_pk.get(service.pk, service), required, condition)
            for service, required, condition in rows
        ]
    )


def add_members(bundle: Bundle, rows: Sequence[tuple[Service, bool, str]]) -> None:
    """Set a bundle's members (replacing the old ones) after checking they merge."""
    check_members(rows)
    BundleMember.objects.filter(bundle=bundle).delete()
    BundleMember.objects.bulk_create(
        BundleMember(bundle=bundle, service=s, required=r, condition=c, order=n)
        for n, (s, r, c) in enumerate(rows)
    )

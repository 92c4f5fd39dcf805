"""一件事: a submitted bundle application gets one child case per member service the applicant
needs, each handled by its own department; answers and materials are shared, not re-entered."""

from __future__ import annotations

from django.utils import timezone

from certificates import consents
from portal.models import User
from services.models import BundleMember, MaterialRequirement
from services.models.applications import Application, ApplicationStatus, Material


def needed_members(parent: Application) -> list[BundleMember]:
    """Every required member, and the optional ones the applicant chose."""
    assert parent.bundle_id is not None
    chosen = set(parent.bundle_choices or [])
    members = BundleMember.objects.filter(bundle_id=parent.bundle_id).select_related("service")
    return [m for m in members.order_by("order", "id") if m.required or m.service.code in chosen]


def _grant_for(material: Material, child: Application) -> int | None:
    """The consent an e-certificate was given with, for the child's own department: the
    parent's consent names the first department that asked for the material, so another
    department gets one of its own, from the same giver, naming the child case."""
    grant = material.grant
    if grant is None or child.service is None:
        return None
    department = child.service.department
    if grant.department_id == department.pk:
        return grant.pk
    return consents.grant(
        grant.certificate,
        by=grant.granted_by,
        department=department,
        purpose=grant.purpose,
        case_reference=child.reference,
        lifetime=consents.MAX_LIFETIME,
    ).pk


def create_children(parent: Application, *, by: User | None) -> list[Application]:
    """One submitted child per needed member. Runs inside ``workflow.submit``'s transaction."""
    from services import workflow

    children = []
    shared = list(parent.materials.select_related("requirement", "grant__certificate"))
    for member in needed_members(parent):
        service = member.service
        keys = {f["key"] for f in service.form_definition.get("fields", [])}
        child = Application.objects.create(
            service=service,
            parent=parent,
            applicant=parent.applicant,
            organisation=parent.organisation,
            channel=parent.channel,
            hall=parent.hall,
            taken_in_by=parent.taken_in_by,
            answers={k: v for k, v in parent.answers.items() if k in keys},
            status=ApplicationStatus.DRAFT,
        )
        requirements = {r.key: r for r in MaterialRequirement.objects.filter(service=service)}
        Material.objects.bulk_create(
            Material(
                application=child,
                requirement=requirements[m.requirement.key],
                source=m.source,
                file=m.file.name,
                file_name=m.file_name,
                content_type=m.content_type,
                size=m.size,
                sha256=m.sha256,
                certificate_id=m.certificate_id,
                grant_id=_grant_for(m, child),
                original_seen=m.original_seen,
                copy_taken=m.copy_taken,
                added_by_id=m.added_by_id,
            )
            for m in shared
            if m.requirement.key in requirements
        )
        workflow.record(child, "create", by=by, parent=parent.pk)
        children.append(workflow.submit(child, by=by))
    parent.submitted_at = parent.submitted_at or timezone.now()
    return children

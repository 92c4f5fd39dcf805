"""Cases for the back office's tests: an application whose identity-card copy was replaced by
the applicant's e-certificate (材料免提交), and a signed-in client for a staff member."""

from __future__ import annotations

from certificates import issuing
from certificates.models import Certificate, CertificateType, HolderKind
from services import drafts, materials, workflow
from services.models import Application, MaterialRequirement
from tests.factories import DepartmentFactory
from tests.services.cases import World, attach_pdf, profile_of
from tests.services.factories import CertificateTypeFactory, MaterialFactory

ID_CARD_FIELDS = [
    {"name": "address", "label": "住址", "label_en": "Address", "type": "text"},
]


def id_card_for(w: World) -> Certificate:
    """An identity-card e-certificate held by the world's applicant, issued by a police
    department (not the reviewing one: its source shows on the case)."""
    police = DepartmentFactory(name="广州市公安局")
    ctype: CertificateType = CertificateTypeFactory(
        name="居民身份证",
        defining_department=police,
        holder_kind=HolderKind.PERSON,
        fields=ID_CARD_FIELDS,
    )
    ctype.issuing_departments.add(police)
    profile = profile_of(w.applicant)
    return issuing.issue(
        type=ctype,
        issuer=police,
        holder_name=profile.legal_name,
        holder_code=profile.reveal_id_number(),
        surface={"address": "广州市天河区天河路1号"},
        by=None,
    )


def with_certificate(w: World) -> tuple[Application, MaterialRequirement, Certificate]:
    """Accepted: the ID-card copy given as the applicant's e-certificate, plus one upload."""
    certificate = Certificate.objects.filter(type=w.material.certificate_type_id).first()
    if certificate is None:  # the first case of this world
        certificate = id_card_for(w)
        w.material.certificate_type = certificate.type
        w.material.save()
    form = MaterialRequirement.objects.filter(service=w.service, key="application-form").first()
    form = form or MaterialFactory(service=w.service, key="application-form", name="申请表")
    app = w.draft()
    materials.attach_certificate(app, w.material, certificate, by=w.applicant)
    attach_pdf(app, form, w.applicant)
    submitted = drafts.submit_draft(app, by=w.applicant)
    return workflow.accept(submitted, by=w.clerk), form, certificate


def sign_in(client, user) -> None:
    """A staff session; the second factor has its own tests (settings.STAFF_MFA_REQUIRED)."""
    client.force_login(user)

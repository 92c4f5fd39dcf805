"""A citizen who holds an e-certificate that replaces one of two materials of a service:
one material he uploads, the other he hands in as his e-certificate (材料免提交)."""

from __future__ import annotations

from dataclasses import dataclass

from certificates import issuing
from certificates.models import Certificate, CertificateType, HolderKind
from services.models import MaterialRequirement
from tests.factories import DepartmentFactory
from tests.services.cases import World, profile_of, world
from tests.services.factories import CertificateTypeFactory, MaterialFactory


def certificate_for(user, ctype: CertificateType) -> Certificate:
    profile = profile_of(user)
    issuer = DepartmentFactory(name="广州市公安局")
    ctype.issuing_departments.add(issuer)
    return issuing.issue(
        type=ctype,
        issuer=issuer,
        holder_name=profile.legal_name,
        holder_code=profile.reveal_id_number(),
        surface={},
        by=None,
    )


@dataclass
class TwoMaterials:
    w: World
    id_card: MaterialRequirement  # replaced by the e-certificate
    certificate: Certificate

    @property
    def photo(self) -> MaterialRequirement:  # uploaded
        return self.w.material


def two_materials(w: World | None = None) -> TwoMaterials:
    """A world (``world()`` unless given) whose service asks for a photo and an ID card."""
    w = w or world()
    w.material.name, w.material.file_types = "近期照片", "pdf,jpg,png"
    w.material.save()
    ctype = CertificateTypeFactory(name="居民身份证", holder_kind=HolderKind.PERSON, fields=[])
    id_card = MaterialFactory(
        service=w.service, key="resident-id", name="居民身份证复印件", certificate_type=ctype
    )
    return TwoMaterials(w, id_card, certificate_for(w.applicant, ctype))

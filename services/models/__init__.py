"""The service catalogue (事项, materials, forms, review steps) and 一件事 bundles."""

from services.models.bundles import Bundle, BundleMember, LifeEvent
from services.models.catalogue import (
    ApplicantKind,
    MaterialRequirement,
    ReviewStep,
    SearchToken,
    Service,
    ServiceKind,
    ServiceResult,
)

__all__ = [
    "ApplicantKind",
    "Bundle",
    "BundleMember",
    "LifeEvent",
    "MaterialRequirement",
    "ReviewStep",
    "SearchToken",
    "Service",
    "ServiceKind",
    "ServiceResult",
]

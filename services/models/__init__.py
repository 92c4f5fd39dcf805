"""The service catalogue (事项, materials, forms, review steps), 一件事 bundles and the calendar."""

from services.models.bundles import Bundle, BundleMember, LifeEvent
from services.models.calendar import CalendarDay
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
    "CalendarDay",
    "LifeEvent",
    "MaterialRequirement",
    "ReviewStep",
    "SearchToken",
    "Service",
    "ServiceKind",
    "ServiceResult",
]

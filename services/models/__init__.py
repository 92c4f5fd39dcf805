"""The service catalogue (事项, materials, forms, review steps), 一件事 bundles, the calendar and
applications (办件)."""

from services.models.applications import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Material,
    MaterialSource,
    NumberSequence,
)
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
from services.models.evaluations import (
    Appeal,
    Evaluation,
    Rectification,
    RectificationEvent,
)
from services.models.reservations import (
    Booking,
    BookingBlock,
    BookingStatus,
    ReservationEvent,
    Slot,
    SlotTemplate,
    Ticket,
    TicketStatus,
    Window,
    WindowGroup,
    WindowKind,
    WindowShift,
)
from services.models.search import BundleSearchToken, SearchMiss, SearchWord, WordKind
from services.models.statistics import CaseDay, CountedDay

__all__ = [
    "Appeal",
    "ApplicantKind",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "Booking",
    "BookingBlock",
    "BookingStatus",
    "Bundle",
    "BundleMember",
    "BundleSearchToken",
    "CalendarDay",
    "CaseDay",
    "CountedDay",
    "Evaluation",
    "LifeEvent",
    "Material",
    "MaterialRequirement",
    "MaterialSource",
    "NumberSequence",
    "Rectification",
    "RectificationEvent",
    "ReservationEvent",
    "ReviewStep",
    "SearchMiss",
    "SearchToken",
    "SearchWord",
    "Service",
    "ServiceKind",
    "ServiceResult",
    "Slot",
    "SlotTemplate",
    "Ticket",
    "TicketStatus",
    "Window",
    "WindowGroup",
    "WindowKind",
    "WindowShift",
    "WordKind",
]

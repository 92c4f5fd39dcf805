"""Reads of the catalogue: each returns a queryset whose rows need no further queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from portal.models import Department, ServiceCategory
from services import search
from services.models import Bundle, BundleMember, MaterialRequirement, ReviewStep, Service

# Materials with the certificate type that replaces them, in the materials' own query.
_MATERIALS = MaterialRequirement.objects.select_related("certificate_type")


def services(
    *,
    applicant: str | None = None,
    department: int | str | None = None,
    category: str | None = None,
    query: str = "",
) -> QuerySet[Service]:
    """Published services, filtered, best search match first when there is a query.
    Raises ``search.QueryTooLong``."""
    queryset: QuerySet[Service] = Service.objects.published()
    if applicant:
        queryset = Service.objects.published().for_applicant(applicant)
    if department:
        key = str(department)
        if key.isascii() and key.isdigit() and len(key) < 10:
            queryset = queryset.filter(department_id=int(key))
        else:
            queryset = queryset.filter(department__code=key)
    if category:
        queryset = queryset.filter(category__code=category)
    if query.strip():
        queryset = search.search(query, queryset)
    return queryset.select_related("department", "category")


def service(code: str) -> Service:
    """One published service with everything its guide shows. Raises Service.DoesNotExist."""
    return (
        Service.objects.published()
        .select_related("department", "category", "result_certificate_type")
        .prefetch_related(
            Prefetch("materials", queryset=_MATERIALS),
            "halls",
            Prefetch("review_steps", queryset=ReviewStep.objects.select_related("department")),
        )
        .get(code=code)
    )


def bundles(*, life_event: str | None = None, applicant: str | None = None) -> QuerySet[Bundle]:
    queryset = Bundle.objects.published().annotate(member_count=Count("members"))
    if life_event:
        queryset = queryset.filter(life_event=life_event)
    if applicant:
        queryset = queryset.filter(applicant_kind=applicant)
    return queryset.order_by("order", "name")


def bundle(slug: str) -> Bundle:
    """One published bundle with its members' services and their materials."""
    members = BundleMember.objects.select_related(
        "service__department", "service__category"
    ).prefetch_related(Prefetch("service__materials", queryset=_MATERIALS))
    return (
        Bundle.objects.published()
        .prefetch_related(Prefetch("members", queryset=members))
        .get(slug=slug)
    )


def bundles_of(service: Service) -> QuerySet[Bundle]:
    return Bundle.objects.published().filter(members__service=service).distinct()


def departments() -> QuerySet[Department]:
    """Departments that own at least one published service, with how many."""
    return (
        Department.objects.annotate(
            service_count=Count("services", filter=Q(services__is_published=True))
        )
        .filter(service_count__gt=0)
        .order_by("name")
    )


def categories() -> QuerySet[ServiceCategory]:
    return (
        ServiceCategory.objects.annotate(
            service_count=Count("services", filter=Q(services__is_published=True))
        )
        .filter(service_count__gt=0)
        .order_by("code")
    )

"""Reads: whose certificates, what a holder sees, which grants a reviewer may use."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from certificates.models import (
    Certificate,
    CertificateGrant,
    CertificateShare,
    CertificateUse,
    ShareScan,
)
from portal import organisations, roles
from portal.models import Department, StaffRole, User


def wallet(user: User) -> QuerySet[Certificate]:
    """The certificates a user holds, or holds through an organisation he may act for."""
    return (
        Certificate.objects.filter(
            Q(holder_user=user)
            | Q(holder_organisation__in=organisations.for_user(user).values("pk"))
        )
        .select_related("type", "issuer")
        .order_by("-issued_on", "-id")
    )


def holds(user: User, certificate: Certificate) -> bool:
    return wallet(user).filter(pk=certificate.pk).exists()


def shares_of(certificate: Certificate) -> QuerySet[CertificateShare]:
    """With how often each link was opened and when last (``scan_count``, ``last_scan``)."""
    return certificate.shares.annotate(
        scan_count=Count("scans"), last_scan=Max("scans__at")
    ).order_by("-created_at", "-id")


def scans_of(share: CertificateShare) -> QuerySet[ShareScan]:
    return share.scans.order_by("-at", "-id")


def grants_of(certificate: Certificate) -> QuerySet[CertificateGrant]:
    return certificate.grants.select_related("department").order_by("-created_at", "-id")


def uses_of(certificate: Certificate) -> QuerySet[CertificateUse]:
    return certificate.uses.select_related("department", "reader__person_profile").order_by(
        "-at", "-id"
    )


def reviewed_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=roles.department_ids(user, StaffRole.REVIEWER))


def administered_departments(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=roles.department_ids(user, StaffRole.DEPARTMENT_ADMIN))


def live_grants_for_reviewer(user: User) -> QuerySet[CertificateGrant]:
    """Grants a reviewer may read through now: live, to one of his departments."""
    return (
        CertificateGrant.objects.filter(
            department__in=reviewed_departments(user).values("pk"),
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("certificate__type", "department")
        .order_by("-created_at", "-id")
    )

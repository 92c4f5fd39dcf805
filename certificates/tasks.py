"""Periodic work. Tasks take no personal data and call one domain function each."""

from __future__ import annotations

from celery import shared_task

from certificates import issuing


@shared_task
def expire_due() -> int:
    """Mark certificates past their last day as expired (idempotent)."""
    return issuing.expire_due()

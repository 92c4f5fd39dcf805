"""Keep the search tokens of a service in step with the service."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from services import search
from services.models import Service


@receiver(post_save, sender=Service, dispatch_uid="services_index_service")
def index_saved_service(sender: type[Service], instance: Service, raw: bool, **kwargs: Any) -> None:
    if raw:  # loading fixtures: categories may not exist yet
        return
    search.index_services([instance])

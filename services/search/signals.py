"""Keep bundles' search keys and the cached vocabulary in step with what they come from."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from services.models import Bundle, SearchWord, Service
from services.search import index, vocabulary


@receiver(post_save, sender=Bundle, dispatch_uid="services_search_index_bundle")
def index_saved_bundle(sender: type[Bundle], instance: Bundle, raw: bool, **kwargs: Any) -> None:
    vocabulary.forget()
    if not raw:
        index.index_bundles([instance])


@receiver(post_save, sender=Service, dispatch_uid="services_search_service_saved")
def forget_vocabulary_when_a_service_is_added(
    sender: type[Service], instance: Service, created: bool, **kwargs: Any
) -> None:
    # The catalogue's size weighs words; a change to an existing service changes no word.
    if created:
        vocabulary.forget()


@receiver(post_save, sender=SearchWord, dispatch_uid="services_search_word_saved")
@receiver(post_delete, sender=SearchWord, dispatch_uid="services_search_word_deleted")
@receiver(post_delete, sender=Bundle, dispatch_uid="services_search_bundle_deleted")
@receiver(post_delete, sender=Service, dispatch_uid="services_search_service_deleted")
def forget_vocabulary(sender: Any, **kwargs: Any) -> None:
    vocabulary.forget()

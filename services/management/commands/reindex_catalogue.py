from typing import Any

from django.core.management.base import BaseCommand

from services import search


class Command(BaseCommand):
    help = "Rebuild every service's search tokens (after changing synonyms or weights)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{search.reindex_all()} search tokens written")

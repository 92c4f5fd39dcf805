"""manage.py calendar status | load [--year Y ...] [--replace-edits]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from services import calendar, deadlines


class Command(BaseCommand):
    help = "Show which years the working-day calendar covers, or load the official schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "load"])
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            help="Year to load (repeatable); default: every year the calendar package knows.",
        )
        parser.add_argument(
            "--replace-edits",
            action="store_true",
            help="Also overwrite days an administrator entered or changed.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self._status()
            return
        years = options["year"] or calendar.official_years()
        for year in years:
            try:
                written = calendar.load_official_year(year, replace_edits=options["replace_edits"])
            except LookupError as exc:
                raise CommandError(
                    f"{year}: the chinesecalendar package has no schedule for it ({exc}); "
                    "upgrade the package or enter the days in the admin."
                ) from exc
            self.stdout.write(f"{year}: {written} days written")
        changed = deadlines.recompute_open()
        self.stdout.write(f"{changed} open applications got a new due date")

    def _status(self) -> None:
        today = timezone.localdate()
        years = range(today.year - 1, today.year + 2)
        loaded = calendar.loaded_years(years)
        for year in years:
            self.stdout.write(f"{year}: {'loaded' if year in loaded else 'NOT LOADED'}")
        missing = calendar.missing_next_year(today)
        if missing:
            self.stderr.write(calendar.missing_year_message(missing))

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from services import generator


class Command(BaseCommand):
    help = (
        "Replace the generated part of the catalogue (codes starting with G) with a large, "
        "plausible one for benchmarks. Needs the demo data's categories (manage.py demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--services", type=int, default=7000)
        parser.add_argument("--departments", type=int, default=50)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        made = generator.generate(
            services=options["services"],
            departments=options["departments"],
            seed=options["seed"],
        )
        self.stdout.write(
            f"{made.services} services of {made.departments} departments, "
            f"{made.tokens} search tokens"
        )

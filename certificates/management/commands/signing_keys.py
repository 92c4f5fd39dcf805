"""Operators' key work: list the departments' signing keys, rotate one, re-encrypt them all.

manage.py signing_keys list
manage.py signing_keys rotate <department code> [--alg SM2SM3]
manage.py signing_keys reencrypt      # after putting a new master key first
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates import keys
from certificates.models import SigningKey
from certificates.signing import SIGNERS
from portal.models import Department


class Command(BaseCommand):
    help = "List, rotate or re-encrypt the issuing departments' signing keys."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="every key, active and retired")
        rotate = actions.add_parser("rotate", help="retire a department's key and make a new one")
        rotate.add_argument("department", help="the department's code (its USCC)")
        rotate.add_argument(
            "--alg", choices=sorted(SIGNERS), help="the new key's algorithm (default: as before)"
        )
        actions.add_parser(
            "reencrypt", help="re-encrypt every private key under the first master key"
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "list":
            for key in SigningKey.objects.select_related("department").order_by(
                "department__code", "created_at", "id"
            ):
                state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
                self.stdout.write(f"{key.kid}  {key.alg:<7} {state:<18} {key.department.name}")
        elif action == "rotate":
            department = Department.objects.filter(code=options["department"].upper()).first()
            if department is None:
                raise CommandError(f"no department with the code {options['department']}")
            key = keys.rotate(department, alg=options["alg"])
            self.stdout.write(
                self.style.SUCCESS(f"{department.name}: new key {key.kid} ({key.alg})")
            )
        else:
            count = keys.reencrypt_all()
            self.stdout.write(self.style.SUCCESS(f"{count} private keys re-encrypted"))

from typing import Any

from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = "Load the demo departments, service hall and one account per role (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = demo.load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo accounts (演示账号):"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<17} {account.login:<42} {account.password}")
        self.stdout.write(
            "  Sign in at http://127.0.0.1:8000/accounts/login/ with the e-mail "
            "or mobile number and the password."
        )

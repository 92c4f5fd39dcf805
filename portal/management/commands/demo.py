import logging
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from portal import demo, notifications


class Command(BaseCommand):
    help = (
        "Load the demo data (idempotent): departments, a service hall and one account per "
        "role, then each other app's demo data (its <app>.demo.load()), then what builds on "
        "all of them (its <app>.demo.load_late(), e.g. applications using the certificates)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's cases notify in-app only, and the in-process tasks do not each log a line:
        # the console is for the accounts below.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        with notifications.in_app_only():
            accounts = self._load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo accounts (演示账号):"))
        for account in accounts:
            self.stdout.write(f"  {account.role:<17} {account.login:<42} {account.password}")
        self.stdout.write(
            "  Sign in at http://127.0.0.1:8000/accounts/login/ with the e-mail "
            "or mobile number and the password."
        )

    def _load(self) -> list[demo.DemoAccount]:
        accounts = demo.load()
        modules = [
            (config, import_module(f"{config.name}.demo"))
            for config in apps.get_app_configs()
            if config.name != "portal" and module_has_submodule(config.module, "demo")
        ]
        for config, module in modules:
            self.stdout.write(f"{config.verbose_name}: {module.load()}")
        for config, module in modules:
            if hasattr(module, "load_late"):
                self.stdout.write(f"{config.verbose_name}: {module.load_late()}")
        return accounts

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and departments")

    def ready(self) -> None:
        from portal import checks, receivers  # noqa: F401  (registers checks and receivers)
        from portal.api import schema  # noqa: F401  (registers the OpenAPI auth extension)

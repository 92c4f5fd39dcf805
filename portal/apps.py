from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.staff_links import StaffLink


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Accounts and departments")
    staff_links = (
        StaffLink("portal:staff_identify", _("Identify a citizen"), frozenset({"clerk"}), 10),
        StaffLink(
            "admin:index",
            _("Administration"),
            frozenset({"department_admin", "system_admin"}),
            90,
        ),
    )

    def ready(self) -> None:
        from portal import checks, receivers  # noqa: F401  (registers checks and receivers)
        from portal.api import schema  # noqa: F401  (registers the OpenAPI auth extension)

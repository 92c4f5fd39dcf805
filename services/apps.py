from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.staff_links import StaffLink


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Service catalogue and applications")
    staff_links = (
        StaffLink("services:counter_queue", _("Intake queue"), frozenset({"clerk"}), 20),
        StaffLink("services:pickup", _("Results window"), frozenset({"clerk"}), 21),
        StaffLink("services:hall_windows", _("My window today"), frozenset({"clerk"}), 22),
        StaffLink("services:hall_check_in", _("Check-in desk"), frozenset({"clerk"}), 23),
        StaffLink(
            "services:kiosk_devices",
            _("Hall kiosks"),
            frozenset({"clerk", "department_admin", "system_admin"}),
            24,
        ),
        StaffLink(
            "services:workbench",
            _("Review queue"),
            frozenset({"reviewer", "department_admin"}),
            30,
        ),
        StaffLink(
            "services:workbench_department",
            _("My department's cases"),
            frozenset({"department_admin"}),
            31,
        ),
        StaffLink(
            "services:rectification_list",
            _("Bad ratings to rectify"),
            frozenset({"department_admin", "system_admin"}),
            32,
        ),
        StaffLink(
            "services:dashboard",
            _("Statistics"),
            frozenset({"department_admin", "system_admin"}),
            33,
        ),
    )

    def ready(self) -> None:
        from services import receivers  # noqa: F401  (connects the signal handlers)

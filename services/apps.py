from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Service catalogue and applications")

    def ready(self) -> None:
        from services import receivers  # noqa: F401  (connects the signal handlers)

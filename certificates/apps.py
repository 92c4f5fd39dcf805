from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal.staff_links import StaffLink


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Electronic certificates")
    staff_links = (
        StaffLink(
            "certificates:staff_list",
            _("Electronic certificates"),
            frozenset({"department_admin"}),
            60,
        ),
        StaffLink(
            "certificates:reviewer_grants",
            _("Certificates shared with my department"),
            frozenset({"reviewer"}),
            61,
        ),
    )

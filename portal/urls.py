from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from certificates.api import discovery as certificate_discovery
from portal import health, oidc_views, views, views_notifications

admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = _("One Window administration")
admin.site.site_title = _("One Window")
admin.site.index_title = _("Administration")

portal_patterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("profile/realname/", views.realname_declare, name="realname"),
    path("profile/act-for/", views.act_for, name="act_for"),
    path("accounts/password/reset/phone/", views.password_reset_by_phone, name="reset_by_phone"),
    path("accounts/password/new/", views.password_new_after_code, name="password_new"),
    path("notifications/", views_notifications.notification_list, name="notifications"),
    path("organisations/new/", views.organisation_register, name="organisation_register"),
    path("organisations/<int:pk>/agents/", views.organisation_agents, name="organisation_agents"),
    path(
        "organisations/<int:pk>/agents/<int:agent_pk>/revoke/",
        views.organisation_agent_revoke,
        name="organisation_agent_revoke",
    ),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/identify/", views.staff_identify, name="staff_identify"),
    path("staff/identify/done/", views.staff_identify_done, name="staff_identify_done"),
    path("staff/identify/<int:pk>/code/", views.staff_send_code, name="staff_send_code"),
    path(
        "staff/identify/<int:pk>/verify/", views.staff_verify_identity, name="staff_verify_identity"
    ),
    path(
        "staff/identify/<int:pk>/release/", views.staff_release_number, name="staff_release_number"
    ),
    path(
        "staff/organisations/confirm/",
        views.staff_confirm_representative,
        name="staff_confirm_representative",
    ),
    path(
        "staff/organisations/<int:pk>/confirm/",
        views.staff_confirm_organisation,
        name="staff_confirm_organisation",
    ),
]

urlpatterns = [
    # The API first: its hottest call (certificate verification) is resolved without trying
    # every page pattern before it. No page path starts with api/.
    path("api/v1/", include("certificates.api.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/v1/", include("services.api.urls")),
    # For certificate verifiers: the keys, endpoints and token URL (certificates/api/discovery.py).
    path(
        ".well-known/certificate-verification",
        certificate_discovery.certificate_verification,
        name="certificate_verification_discovery",
    ),
    path("", include((portal_patterns, "portal"))),
    path("accounts/", include("allauth.urls")),
    # Exact redirect URIs and PKCE in front of allauth's endpoint (see portal/oidc_views.py).
    path("identity/o/authorize", oidc_views.authorization),
    path("", include("allauth.idp.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("", include("services.urls")),
    path("", include("certificates.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

if getattr(settings, "BENCH_URLS", False):
    urlpatterns.append(path("bench/", include("portal.bench_urls")))

handler400 = "portal.views_errors.bad_request"
handler404 = "portal.views_errors.not_found"
handler500 = "portal.views_errors.server_error"

from django.urls import path

from certificates.api import reference, views

app_name = "certificates_api"

urlpatterns = [
    path(
        "certificates/verification/<str:identifier>/",
        views.verify_identifier,
        name="verify_identifier",
    ),
    path("certificates/", views.wallet, name="wallet"),
    path("certificate-types/", reference.certificate_types, name="certificate_types"),
    path("certificates/issue/", views.issue, name="issue"),
    path("certificates/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("certificates/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("certificates/<int:pk>/renew/", views.renew, name="renew"),
    path("certificates/verify/", views.verify_document, name="verify_document"),
    path("certificates/verify/<str:token>/", views.verify_token, name="verify_token"),
]

from django.urls import path

from certificates import staff_views, views

app_name = "certificates"

urlpatterns = [
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("wallet/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("wallet/<int:pk>/document/", views.certificate_document, name="certificate_document"),
    path("wallet/<int:pk>/share/", views.share_create, name="share_create"),
    path("wallet/<int:pk>/grant/", views.grant_create, name="grant_create"),
    path("wallet/shares/<int:pk>/", views.share_detail, name="share_detail"),
    path("wallet/shares/<int:pk>/withdraw/", views.share_withdraw, name="share_withdraw"),
    path("wallet/grants/<int:pk>/withdraw/", views.grant_withdraw, name="grant_withdraw"),
    path("verify/id/<str:identifier>/", views.verify_identifier, name="verify_identifier"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("certificates/keys.json", views.keys_json, name="keys"),
    path("staff/certificates/", staff_views.certificate_list, name="staff_list"),
    path(
        "staff/certificates/issue/<int:type_pk>/",
        staff_views.certificate_issue,
        name="staff_issue",
    ),
    path("staff/certificates/<int:pk>/", staff_views.certificate_detail, name="staff_detail"),
    path(
        "staff/certificates/<int:pk>/renew/",
        staff_views.certificate_renew,
        name="staff_renew",
    ),
    path(
        "staff/certificates/<int:pk>/revoke/",
        staff_views.certificate_end,
        {"action": "revoke"},
        name="staff_revoke",
    ),
    path(
        "staff/certificates/<int:pk>/cancel/",
        staff_views.certificate_end,
        {"action": "cancel"},
        name="staff_cancel",
    ),
    path("staff/certificates/grants/", views.reviewer_grants, name="reviewer_grants"),
    path("staff/certificates/grants/<int:pk>/", views.reviewer_read, name="reviewer_read"),
]

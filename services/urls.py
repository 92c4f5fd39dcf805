from django.urls import path

from services import views, views_applications, views_counter

app_name = "services"

urlpatterns = [
    # The window clerk's pages, under /staff/ so that a second factor guards them.
    path("staff/counter/", views_counter.intake_queue, name="counter_queue"),
    path("staff/counter/new/", views_counter.counter_start, name="counter_start"),
    path("staff/counter/new/draft/", views_counter.counter_new_draft, name="counter_new_draft"),
    path("staff/counter/<int:pk>/", views_counter.counter_intake, name="counter_intake"),
    path("staff/counter/<int:pk>/decide/", views_counter.counter_decide, name="counter_decide"),
    path("staff/counter/pickup/", views_counter.pickup, name="pickup"),
    path("staff/counter/pickup/<int:pk>/hand-over/", views_counter.hand_over, name="hand_over"),
    path("applications/<int:pk>/receipt/", views_counter.receipt, name="receipt"),
    path("applications/<int:pk>/receipt.pdf", views_counter.receipt_pdf, name="receipt_pdf"),
    path("applications/<int:pk>/notice/", views_counter.notice, name="notice"),
    path("services/", views.catalogue, name="catalogue"),
    path("services/<str:code>/", views.service_detail, name="service_detail"),
    path("services/<str:code>/form/", views.service_form, name="service_form"),
    path(
        "services/<str:code>/materials/<slug:key>/<slug:which>/",
        views.material_file,
        name="material_file",
    ),
    path("search/", views.search_page, name="search"),
    path("bundles/", views.bundle_list, name="bundle_list"),
    path("bundles/<slug:slug>/", views.bundle_detail, name="bundle_detail"),
    path(
        "applications/<int:pk>/",
        views_applications.application_detail,
        name="application_detail",
    ),
    # The applicant's pages (apply online, 我的办件, supplement, withdraw, public progress).
    path("services/<str:code>/apply/", views_applications.apply_service, name="apply"),
    path("bundles/<slug:slug>/apply/", views_applications.apply_bundle, name="apply_bundle"),
    path("applications/", views_applications.my_applications, name="my_applications"),
    path(
        "applications/<int:pk>/edit/",
        views_applications.application_edit,
        name="application_edit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        views_applications.application_withdraw,
        name="application_withdraw",
    ),
    path("track/<str:token>/", views_applications.track, name="track"),
    path("workbench/cases/<int:pk>/", views_applications.workbench_case, name="workbench_case"),
]

from django.urls import path

from services import views, views_applications, views_counter, views_materials, views_workbench

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
    # The back office, under /staff/ so that a second factor guards it (StaffMFAMiddleware).
    path("staff/workbench/", views_workbench.queue, name="workbench"),
    path("staff/workbench/department/", views_workbench.department, name="workbench_department"),
    path("staff/workbench/cases/<int:pk>/", views_workbench.workbench_case, name="workbench_case"),
    path(
        "staff/workbench/cases/<int:pk>/claim/", views_workbench.case_claim, name="workbench_claim"
    ),
    path(
        "staff/workbench/cases/<int:pk>/release/",
        views_workbench.case_release,
        name="workbench_release",
    ),
    path(
        "staff/workbench/cases/<int:pk>/reassign/",
        views_workbench.case_reassign,
        name="workbench_reassign",
    ),
    path(
        "staff/workbench/cases/<int:pk>/approve/",
        views_workbench.case_approve,
        name="workbench_approve",
    ),
    path("staff/workbench/cases/<int:pk>/deny/", views_workbench.case_deny, name="workbench_deny"),
    path(
        "staff/workbench/cases/<int:pk>/supplement/",
        views_workbench.case_supplement,
        name="workbench_supplement",
    ),
    path(
        "applications/materials/<int:pk>/",
        views_materials.material_download,
        name="material_download",
    ),
]

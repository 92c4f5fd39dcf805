from django.urls import path

from services.views import (
    applicant,
    booking,
    catalogue,
    counter,
    documents,
    hall,
    kiosk,
    kiosk_enrol,
    materials,
    pickup,
    workbench,
)
from services.views import dashboard as dashboard_views
from services.views import rating as rating_views
from services.views import rectifications as rectification_views
from services.views import transparency as transparency_views

app_name = "services"

urlpatterns = [
    # The window clerk's pages, under /staff/ so that a second factor guards them.
    path("staff/counter/", counter.intake_queue, name="counter_queue"),
    path("staff/counter/new/", counter.counter_start, name="counter_start"),
    path("staff/counter/new/draft/", counter.counter_new_draft, name="counter_new_draft"),
    path("staff/counter/<int:pk>/", counter.counter_intake, name="counter_intake"),
    path("staff/counter/<int:pk>/decide/", counter.counter_decide, name="counter_decide"),
    path("staff/counter/pickup/", pickup.pickup, name="pickup"),
    path("staff/counter/pickup/<int:pk>/hand-over/", pickup.hand_over, name="hand_over"),
    path("applications/<int:pk>/receipt/", documents.receipt, name="receipt"),
    path("applications/<int:pk>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
    path("applications/<int:pk>/notice/", documents.notice, name="notice"),
    path("services/", catalogue.catalogue, name="catalogue"),
    path("services/<str:code>/", catalogue.service_detail, name="service_detail"),
    path("services/<str:code>/form/", catalogue.service_form, name="service_form"),
    path(
        "services/<str:code>/materials/<slug:key>/<slug:which>/",
        catalogue.material_file,
        name="material_file",
    ),
    path("search/", catalogue.search_page, name="search"),
    path("bundles/", catalogue.bundle_list, name="bundle_list"),
    path("bundles/<slug:slug>/", catalogue.bundle_detail, name="bundle_detail"),
    path(
        "applications/<int:pk>/",
        applicant.application_detail,
        name="application_detail",
    ),
    # The applicant's pages (apply online, 我的办件, supplement, withdraw, public progress).
    path("services/<str:code>/apply/", applicant.apply_service, name="apply"),
    path("bundles/<slug:slug>/apply/", applicant.apply_bundle, name="apply_bundle"),
    path("applications/", applicant.my_applications, name="my_applications"),
    path(
        "applications/<int:pk>/edit/",
        applicant.application_edit,
        name="application_edit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        applicant.application_withdraw,
        name="application_withdraw",
    ),
    path("track/<str:token>/", applicant.track, name="track"),
    # The back office, under /staff/ so that a second factor guards it (StaffMFAMiddleware).
    path("staff/workbench/", workbench.queue, name="workbench"),
    path("staff/workbench/department/", workbench.department, name="workbench_department"),
    path("staff/workbench/cases/<int:pk>/", workbench.workbench_case, name="workbench_case"),
    path("staff/workbench/cases/<int:pk>/claim/", workbench.case_claim, name="workbench_claim"),
    path(
        "staff/workbench/cases/<int:pk>/release/",
        workbench.case_release,
        name="workbench_release",
    ),
    path(
        "staff/workbench/cases/<int:pk>/reassign/",
        workbench.case_reassign,
        name="workbench_reassign",
    ),
    path(
        "staff/workbench/cases/<int:pk>/approve/",
        workbench.case_approve,
        name="workbench_approve",
    ),
    path("staff/workbench/cases/<int:pk>/deny/", workbench.case_deny, name="workbench_deny"),
    path(
        "staff/workbench/cases/<int:pk>/supplement/",
        workbench.case_supplement,
        name="workbench_supplement",
    ),
    # Reservations (预约) and the hall queue: the citizen's bookings, the clerk's window and
    # check-in desk (under /staff/), the hall's display and its kiosk (public).
    path("book/<str:kind>/<str:key>/", booking.book_start, name="book_start"),
    path("book/<str:kind>/<str:key>/confirm/", booking.book_confirm, name="book_confirm"),
    path("bookings/", booking.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/", booking.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/cancel/", booking.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/move/", booking.booking_move, name="booking_move"),
    path("staff/hall/", hall.windows, name="hall_windows"),
    path("staff/hall/windows/<int:pk>/", hall.window_page, name="hall_window"),
    path("staff/hall/windows/<int:pk>/<str:action>/", hall.window_move, name="hall_window_move"),
    path("staff/hall/check-in/", hall.check_in_desk, name="hall_check_in"),
    path("staff/hall/kiosks/", kiosk_enrol.kiosks, name="kiosk_devices"),
    path("halls/<int:pk>/display/", hall.display, name="hall_display"),
    path("kiosk/<int:pk>/", kiosk.start, name="kiosk"),
    path("kiosk/<int:pk>/check-in/", kiosk.check_in, name="kiosk_check_in"),
    path("kiosk/<int:pk>/ticket/", kiosk.walk_in, name="kiosk_walk_in"),
    path("kiosk/<int:pk>/progress/", kiosk.progress, name="kiosk_progress"),
    path("kiosk/<int:pk>/verify/", kiosk.verify, name="kiosk_verify"),
    path(
        "applications/materials/<int:pk>/",
        materials.material_download,
        name="material_download",
    ),
    # The statistics dashboard (staff), public satisfaction and open data (ADR 0014).
    path("staff/statistics/", dashboard_views.dashboard, name="dashboard"),
    path("staff/statistics/<slug:table>.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("satisfaction/", transparency_views.overview, name="satisfaction"),
    path(
        "satisfaction/departments/<int:pk>/",
        transparency_views.department_page,
        name="satisfaction_department",
    ),
    path(
        "satisfaction/services/<str:code>/",
        transparency_views.service_page,
        name="satisfaction_service",
    ),
    path("open-data/", transparency_views.open_data, name="open_data"),
    path(
        "open-data/<str:which>.<str:fmt>", transparency_views.open_data_file, name="open_data_file"
    ),
    # Ratings (好差评) and the rectification of bad ones (ADR 0013).
    path("applications/<int:pk>/rate/", rating_views.rate_application, name="rate_application"),
    path("applications/<int:pk>/rate/follow-up/", rating_views.follow_up, name="rating_follow_up"),
    path(
        "applications/<int:pk>/rate/answer/",
        rating_views.answer_response,
        name="rating_answer_response",
    ),
    path("rate/visit/<str:token>/", rating_views.rate_visit, name="rate_visit"),
    path("staff/tickets/<int:pk>/rating-qr/", rating_views.visit_qr, name="visit_rating_qr"),
    path(
        "staff/rectifications/", rectification_views.rectification_list, name="rectification_list"
    ),
    path(
        "staff/rectifications/<int:pk>/",
        rectification_views.rectification_detail,
        name="rectification_detail",
    ),
    path(
        "staff/rectifications/<int:pk>/<slug:action>/",
        rectification_views.rectification_move,
        name="rectification_move",
    ),
]

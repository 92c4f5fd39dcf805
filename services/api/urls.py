from django.urls import path

from services.api import (
    application_moves,
    applications,
    calendar,
    hall_queue,
    reservations,
    search,
    views,
)
from services.api import evaluations as evaluation_api
from services.api import statistics as statistics_api

app_name = "services_api"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="service_list"),
    path("services/<str:code>/", views.ServiceDetail.as_view(), name="service_detail"),
    path("bundles/", views.BundleList.as_view(), name="bundle_list"),
    path("bundles/<slug:slug>/", views.BundleDetail.as_view(), name="bundle_detail"),
    path("search/", search.Search.as_view(), name="search"),
    path("search/suggest/", search.Suggest.as_view(), name="search_suggest"),
    path("calendar/due-date/", calendar.DueDate.as_view(), name="calendar_due_date"),
    # Public satisfaction (open data) and the staff's statistics (ADR 0014).
    path(
        "satisfaction/<str:which>/",
        statistics_api.Satisfaction.as_view(),
        name="satisfaction",
    ),
    path(
        "statistics/<str:table>/",
        statistics_api.Statistics.as_view(),
        name="statistics",
    ),
    # Reservations (预约) and the hall queue.
    path("slots/", reservations.SlotList.as_view(), name="slot_list"),
    path("bookings/", reservations.BookingList.as_view(), name="booking_list"),
    path("bookings/<int:pk>/cancel/", reservations.BookingCancel.as_view(), name="booking_cancel"),
    path("bookings/<int:pk>/move/", reservations.BookingMove.as_view(), name="booking_move"),
    path("tickets/", hall_queue.TicketCreate.as_view(), name="ticket_list"),
    *(
        path(
            f"windows/<int:pk>/{action}/",
            hall_queue.window_view(action),
            name=f"window_{action.replace('-', '_')}",
        )
        for action in hall_queue.WINDOW_ACTIONS
    ),
    path("halls/<int:pk>/display/", hall_queue.HallDisplay.as_view(), name="hall_display"),
    # Applications (办件): apply, follow, and one endpoint per move of the lifecycle.
    path("applications/", applications.ApplicationList.as_view(), name="application_list"),
    path(
        "applications/<int:pk>/",
        applications.ApplicationDetail.as_view(),
        name="application_detail",
    ),
    *(
        path(f"applications/<int:pk>/{segment}/", view, name=f"application_{name}")
        for segment, name, view in (
            ("materials", "materials", applications.upload_material),
            ("submit", "submit", applications.submit),
            ("resubmit", "resubmit", applications.resubmit),
            ("withdraw", "withdraw", application_moves.withdraw),
            ("accept", "accept", application_moves.accept),
            ("request-supplement", "request_supplement", application_moves.request_supplement),
            ("refuse", "refuse", application_moves.refuse),
            ("claim", "claim", application_moves.claim),
            ("release", "release", application_moves.release),
            ("approve", "approve", application_moves.approve),
            ("deny", "deny", application_moves.deny),
            ("hand-over", "hand_over", application_moves.hand_over),
        )
    ),
    # Ratings (好差评) and the rectification of bad ones (ADR 0013).
    path(
        "applications/<int:pk>/evaluation/",
        evaluation_api.rate_application,
        name="application_evaluation",
    ),
    path(
        "applications/<int:pk>/evaluation/follow-up/",
        evaluation_api.follow_up,
        name="application_evaluation_follow_up",
    ),
    path("tickets/<int:pk>/evaluation/", evaluation_api.rate_ticket, name="ticket_evaluation"),
    path(
        "rectifications/",
        evaluation_api.RectificationList.as_view(),
        name="rectification_list",
    ),
    path(
        "rectifications/<int:pk>/",
        evaluation_api.rectification_detail,
        name="rectification_detail",
    ),
    *(
        path(
            f"rectifications/<int:pk>/{segment}/",
            view,
            name=f"rectification_{segment.replace('-', '_')}",
        )
        for segment, view in evaluation_api.MOVE_VIEWS.items()
    ),
]

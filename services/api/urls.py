from django.urls import path

from services.api import calendar, views

app_name = "services_api"

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="service_list"),
    path("services/<str:code>/", views.ServiceDetail.as_view(), name="service_detail"),
    path("bundles/", views.BundleList.as_view(), name="bundle_list"),
    path("bundles/<slug:slug>/", views.BundleDetail.as_view(), name="bundle_detail"),
    path("calendar/due-date/", calendar.DueDate.as_view(), name="calendar_due_date"),
]

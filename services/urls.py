from django.urls import path

from services import views, views_applications

app_name = "services"

urlpatterns = [
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
    path("workbench/cases/<int:pk>/", views_applications.workbench_case, name="workbench_case"),
]

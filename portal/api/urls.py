from django.urls import path

from portal.api import reference, views

app_name = "api"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/realname/", views.declare_realname, name="declare_realname"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    # Reference data: the codes the other operations take.
    path("departments/", reference.departments, name="departments"),
    path("service-categories/", reference.service_categories, name="service_categories"),
    path("halls/", reference.halls, name="halls"),
]

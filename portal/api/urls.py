from django.urls import path

from portal.api import views

app_name = "api"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/realname/", views.declare_realname, name="declare_realname"),
    path("organisations/", views.organisation_list, name="organisation_list"),
]

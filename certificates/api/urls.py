from django.urls import path  # noqa: F401

app_name = "certificates_api"

urlpatterns: list = []

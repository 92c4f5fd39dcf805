import pytest
from django.core.management import call_command

from portal.models import Department, PersonProfile, ServiceHall, StaffAssignment, User


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_broken_cache_as_unhealthy(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"].startswith("error")


@pytest.mark.django_db
def test_demo_data_loads_twice_without_duplicates(capsys):
    call_command("demo")
    counts = (
        User.objects.count(),
        Department.objects.count(),
        ServiceHall.objects.count(),
        StaffAssignment.objects.count(),
        PersonProfile.objects.count(),
    )
    call_command("demo")
    assert counts == (
        User.objects.count(),
        Department.objects.count(),
        ServiceHall.objects.count(),
        StaffAssignment.objects.count(),
        PersonProfile.objects.count(),
    )
    assert Department.objects.count() >= 12
    out = capsys.readouterr().out
    assert "OneWindow-2026" in out and "clerk@demo.onewindow" in out


@pytest.mark.django_db
def test_demo_accounts_can_sign_in(client):
    call_command("demo")
    response = client.post(
        "/accounts/login/", {"login": "13800000002", "password": "OneWindow-2026"}
    )
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


@pytest.mark.django_db
def test_loading_the_demo_warns_of_nothing(caplog, django_capture_on_commit_callbacks):
    """``make run`` prints the demo accounts without noise (kombu warned twice that the
    embedded broker had no host when the demo's moves enqueued their tasks)."""
    with caplog.at_level("WARNING"), django_capture_on_commit_callbacks(execute=True):
        call_command("demo")
    assert [r.getMessage() for r in caplog.records if r.levelno >= 30] == []

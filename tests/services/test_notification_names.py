"""A notification names the service in the reader's language, where an English name is kept."""

import pytest
from django.utils import translation

from portal.models import Notification
from services import workflow
from tests.services.cases import world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("commit_now")]


def test_the_applicants_notification_names_the_service_in_his_language():
    w = world()
    w.service.name, w.service.name_en = "居民身份证换领", "Resident identity card renewal"
    w.service.save(update_fields=["name", "name_en"])
    workflow.accept(w.submitted(), by=w.clerk)
    told = Notification.objects.filter(user=w.applicant).latest("id")
    with translation.override("en"):
        assert "Resident identity card renewal" in told.rendered_body()
        assert "居民身份证换领" not in told.rendered_body()
    with translation.override("zh-hans"):
        assert "居民身份证换领" in told.rendered_body()

"""Text messages go through a real Celery worker on the real broker."""

from __future__ import annotations

import json
import os

import pytest
from django.db import transaction

from portal import sms
from portal.models import OutboundSMS
from portal.tasks import send_sms
from tests.polling import wait_for

pytestmark = pytest.mark.worker

PHONE = "+8613800138000"
LOCAL_PHONE = "13800138000"


def _queue(message: str, phone: str = PHONE) -> OutboundSMS:
    """Queue an SMS the way the site does: the task is published when the row commits."""
    with transaction.atomic():
        return sms.queue(phone, message)


def _delivered(pk: int, timeout: float = 20.0) -> OutboundSMS:
    return wait_for(
        lambda: OutboundSMS.objects.filter(pk=pk, sent_at__isnull=False).first(),
        timeout=timeout,
        what=f"OutboundSMS #{pk} to be sent by the worker",
    )


@pytest.mark.django_db(transaction=True)
def test_queued_sms_is_delivered_by_the_worker(celery_worker, published_tasks):
    row = _queue("[One Window] Your verification code is 424242.")
    assert row.sent_at is None

    delivered = _delivered(row.pk)

    assert delivered.body == ""  # wiped: it held a verification code
    assert delivered.attempts == 1
    [message] = published_tasks
    assert celery_worker.wait_for_task(message.task_id) == "True"


@pytest.mark.django_db(transaction=True)
def test_delivering_the_same_message_twice_sends_it_once(celery_worker, published_tasks):
    row = _queue("[One Window] Your verification code is 515151.")
    # Two more deliveries of the same id, as after a redelivery or a retry.
    send_sms.delay(row.pk)
    send_sms.delay(row.pk)

    results = [celery_worker.wait_for_task(m.task_id) for m in published_tasks]

    assert len(results) == 3
    assert sorted(results) == ["False", "False", "True"]
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_task_message_carries_only_the_id(celery_worker, published_tasks):
    text = "[One Window] Your verification code is 737373."
    row = _queue(text)
    _delivered(row.pk)

    [message] = published_tasks
    assert message.name == "portal.tasks.send_sms"
    assert message.routing_key == "notify"
    assert message.args == [row.pk]
    assert message.kwargs == {}
    on_the_wire = json.dumps([message.headers, message.body], default=str)
    for secret in (LOCAL_PHONE, "737373", text):
        assert secret not in on_the_wire
    celery_worker.wait_for_task(message.task_id)
    log = celery_worker.log()
    assert message.task_id in log  # the log is the worker's, and it handled this task
    for secret in (LOCAL_PHONE, "code is 737373"):
        assert secret not in log


@pytest.mark.django_db
def test_healthz_reports_the_broker(client, celery_broker_url):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client, celery_broker_url, monkeypatch):
    from portal.celery import app
    from tests.worker.conftest import _reset_publisher_connections

    # Celery reads CELERY_BROKER_URL from the environment first; port 9 (discard) is closed.
    monkeypatch.setitem(os.environ, "CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    _reset_publisher_connections(app)
    try:
        response = client.get("/healthz")
    finally:
        monkeypatch.undo()
        _reset_publisher_connections(app)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"].startswith("error:")
    assert body["checks"]["database"] == "ok"

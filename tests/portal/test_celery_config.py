"""The broker settings that keep tasks from being lost, as the worker really reads them."""

from celery.fixups.django import DjangoWorkerFixup

from portal.celery import app


def test_tasks_are_acknowledged_late_and_requeued_if_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_outlasts_the_longest_task():
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_only_json_crosses_the_broker():
    assert app.conf.task_serializer == "json"
    assert list(app.conf.accept_content) == ["json"]


def test_named_queues_and_routes():
    assert {q.name for q in app.conf.task_queues} == {
        "default",
        "routing",
        "notify",
        "certificates",
        "pdf",
    }
    assert app.amqp.router.route({}, "portal.tasks.send_sms")["queue"].name == "notify"


def test_the_worker_reuses_its_database_connection_across_tasks():
    assert DjangoWorkerFixup(app).db_reuse_max >= 100

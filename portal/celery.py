"""The Celery app. It reads every CELERY_* setting from Django's settings."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from celery.utils.log import get_multiprocessing_logger
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

QUEUES = ("default", "routing", "notify", "certificates", "pdf")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in QUEUES]
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def mask_worker_logs(logger: logging.Logger, **kwargs: Any) -> None:
    """A worker replaces the root handlers (Django's masked console) with its own, and gives
    task loggers theirs: both mask ID and mobile numbers like every other log."""
    from portal.logging import mask_logger

    mask_logger(logger)
    if (multiprocessing := get_multiprocessing_logger()) is not None:
        mask_logger(multiprocessing)

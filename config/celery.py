"""The task queue: Celery with Redis. In the embedded setup tasks run inline
(``CELERY_TASK_ALWAYS_EAGER``, the default); production turns that off and
runs ``celery -A config worker``."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _settle_heap(**kwargs) -> None:
    """Each worker process starts with what it has loaded out of the collector's way."""
    from config.heap import settle

    settle()

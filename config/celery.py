"""The Celery app. Eager (inline) when CELERY_BROKER_URL is unset; Redis in production."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("crossroads")
app.config_from_object("django.conf:settings", namespace="CELERY")  # acks_late, reject_on_worker_lost,
# a 30-minute visibility timeout: see "Celery" in config/settings.py (tests/test_celery_worker_killed.py)
app.autodiscover_tasks()

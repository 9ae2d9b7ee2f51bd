"""The Celery application. Start a worker with `celery -A coding_site worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coding_site.settings")

app = Celery("coding_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery application: `celery -A erp worker` and `celery -A erp beat`.

Its configuration is the `CELERY_*` part of erp/settings.py (from the environment). Without
`CELERY_BROKER_URL` tasks run inline, in the process that queues them, so a local `make run` needs
no broker and no worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "erp.settings")

app = Celery("erp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""The Celery application: configuration only.

Its settings are the ``CELERY_*`` names of ``registry/settings.py`` (read from the environment);
its tasks are the ``tasks.py`` modules of the installed apps (``core/tasks.py``…). A worker runs
``celery -A registry worker`` (``make worker``, the ``worker`` service of docker-compose.yml).
Without a broker the tasks run in the calling process (``CELERY_TASK_ALWAYS_EAGER``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The Celery application is loaded with Django, so that ``shared_task`` tasks bind to it and
# ``send_email.delay()`` in a web process uses its broker (see registry/celery.py).
from registry.celery import app as celery_app

__all__ = ("celery_app",)

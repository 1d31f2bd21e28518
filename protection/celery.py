"""The Celery app: configured from Django settings (namespace CELERY), tasks autodiscovered."""

import os

from celery import Celery

# Importing the project package (as gunicorn does) must never fall back to the development
# settings; manage.py, the Makefile and the Procfile name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.production")

app = Celery("protection")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

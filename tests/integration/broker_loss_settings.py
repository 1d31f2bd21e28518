"""Settings of the worker of the broker-loss test: the test settings and its holding task."""

from protection.settings.test import *  # noqa: F403

CELERY_IMPORTS = ("tests.integration.broker_loss_tasks",)

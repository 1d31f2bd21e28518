"""Settings of the Celery worker the integration tests start: the test settings, with emails
written to files in a directory the test reads."""

import os

from protection.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["PROTECTION_TEST_EMAIL_DIR"]

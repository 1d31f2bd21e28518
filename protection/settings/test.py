"""Test settings: the real PostgreSQL and Redis on 127.0.0.1, fast password hashing."""

import datetime
import os

from protection.crypto.keyring import development_keys
from protection.settings.base import *  # noqa: F403
from protection.settings.base import REST_FRAMEWORK

SECRET_KEY = "test-only-not-secret"  # noqa: S105
PROTECTION_FIELD_KEYS = os.environ.get("PROTECTION_FIELD_KEYS") or development_keys(SECRET_KEY)
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests that exercise throttling set their own rates; the rest must not trip over it.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "1000/minute",
        "user": "100000/hour",
        "token_login": "1000/minute",
    },
}

# Parallel runs on one machine (several checkouts, several developers) each name their own.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("PROTECTION_TEST_DB", "test_protection")}  # noqa: F405

# WhiteNoise serves from the finders in tests; the empty root only silences its warning.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# `make test-future`: the whole run, in this process and in every Celery worker the integration
# tests start (they load these settings), lives this many days away from today. Each process
# moves its own clock by the same amount, so that times they exchange (a task's ETA, a token's
# expiry) stay consistent; the clock keeps ticking. PostgreSQL's clock is never asked: every
# time the application stores or compares comes from Python (timezone.now()).
CLOCK_SHIFT_DAYS = int(os.environ.get("PROTECTION_TEST_CLOCK_SHIFT_DAYS") or 0)
if CLOCK_SHIFT_DAYS:
    import time_machine

    time_machine.travel(
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=CLOCK_SHIFT_DAYS),
        tick=True,
    ).start()

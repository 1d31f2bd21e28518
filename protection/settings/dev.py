"""Development settings: embedded defaults (SQLite in WAL mode, a file-system Celery broker).

Setting DATABASE_URL or CELERY_BROKER_URL switches to PostgreSQL or Redis without other changes.
"""

import os

from protection.crypto.keyring import development_keys
from protection.settings.base import *  # noqa: F403
from protection.settings.base import VAR_DIR, env_bool, env_list

VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("DEBUG", "1") != "0"
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me")
# A development key, labelled "dev" and derived from this SECRET_KEY, when none is given.
PROTECTION_FIELD_KEYS = os.environ.get("PROTECTION_FIELD_KEYS") or development_keys(SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

if not os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "protection.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

if not os.environ.get("CELERY_BROKER_URL"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {  # type: ignore[no-redef]
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcasts (worker control) would otherwise land in ./control of the working directory.
        "control_folder": str(_broker_dir / "control"),
        # The worker polls the folder; at the default 1 s, late acknowledgement with prefetch 1
        # held it to about two tasks a second.
        "polling_interval": 0.1,
    }
    # Celery 5.6 (pinned, see README) serves this transport in a loop that waits up to 2 s
    # whenever the worker holds all it may prefetch: at one task per process, that is one task
    # a second, and the demo's alert e-mails would queue for minutes. Late acknowledgement still
    # puts back whatever a stopped worker held.
    CELERY_WORKER_PREFETCH_MULTIPLIER = 16

# The API docs open without a sign-in on a developer's machine.
API_DOCS_REQUIRE_LOGIN = env_bool("API_DOCS_REQUIRE_LOGIN", False)

# One line per e-mail on the console; the whole message in a file under var/mail/.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "protection.mail.SummaryConsoleBackend")

# Static files as production serves them (protection/staticfiles.py): `make run` collects them,
# WhiteNoise serves the hashed, compressed copies with a long cache lifetime; runserver leaves
# them to WhiteNoise (whitenoise.runserver_nostatic). A file not collected yet is still served,
# under its plain name, from the source folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "protection.staticfiles.DevelopmentStaticFilesStorage"},
}
INSTALLED_APPS = ["whitenoise.runserver_nostatic", *INSTALLED_APPS]  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

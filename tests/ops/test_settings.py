"""Production settings refuse to start when unsafe and pass `check --deploy`; dev falls back.

Each case loads the settings in a fresh interpreter, the way gunicorn or manage.py would, with
only the environment the case gives it.
"""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Everything the settings read that could leak in from the developer's or CI's shell.
_SCRUBBED_PREFIXES = (
    "DJANGO_",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_",
    "DATABASE_",
    "CELERY_",
    "CACHE_URL",
    "SECURE_",
    "EMAIL_",
    "PROTECTION_VAR_DIR",
    "STATIC_ROOT",
    "PIPELINE_",
    "WEBHOOK_",
    "API_DOCS_",
    "PROTECTION_FIELD_",
)


def good_production_env() -> dict[str, str]:
    """Return a complete, safe production environment."""
    return {
        "DJANGO_SETTINGS_MODULE": "protection.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "PROTECTION_FIELD_KEYS": f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",
        "ALLOWED_HOSTS": "protection.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://protection.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
        "WEBHOOK_EGRESS": "direct",
    }


def run_python(code: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run Python in the project directory with a scrubbed environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *(["-c", code] if code else []), *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SETUP = "import django; django.setup(); print('started')"


def test_production_starts_with_a_complete_environment() -> None:
    result = run_python(SETUP, good_production_env())
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "too-short"}, "at least 50 characters"),
        ({"SECRET_KEY": "a" * 80}, "at least 50 characters"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must list"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list"),
        ({"PIPELINE_HEALTH_TOKEN": "guessable"}, "PIPELINE_HEALTH_TOKEN must be at least 32"),
        ({"WEBHOOK_EGRESS": None}, 'WEBHOOK_EGRESS must be "direct" or "proxy"'),
        ({"WEBHOOK_EGRESS": "open"}, 'WEBHOOK_EGRESS must be "direct" or "proxy"'),
        ({"WEBHOOK_EGRESS": "proxy"}, "set WEBHOOK_PROXY_URL"),
        ({"WEBHOOK_PROXY_URL": "http://egress.internal:3128"}, 'set it to "proxy"'),
        ({"PROTECTION_FIELD_KEYS": None}, "PROTECTION_FIELD_KEYS must be set in production"),
        ({"PROTECTION_FIELD_KEYS": " "}, "PROTECTION_FIELD_KEYS must be set in production"),
        ({"PROTECTION_FIELD_KEYS": "k1:c2hvcnQ="}, "is 5 bytes; AES-256 needs 32"),
        ({"PROTECTION_FIELD_KEYS": "k1:not base64!"}, "the key 'k1' is not base64"),
        (
            {"PROTECTION_FIELD_KEYS": "dev:" + base64.b64encode(bytes(32)).decode()},
            "reserved for the development key",
        ),
    ],
    ids=[
        "no-secret",
        "empty-secret",
        "short-secret",
        "repetitive-secret",
        "debug-1",
        "debug-true",
        "no-hosts",
        "blank-hosts",
        "short-monitoring-token",
        "no-egress-mode",
        "unknown-egress-mode",
        "proxy-mode-without-proxy",
        "proxy-without-proxy-mode",
        "no-field-keys",
        "blank-field-keys",
        "short-field-key",
        "field-key-not-base64",
        "development-field-key",
    ],
)
def test_production_refuses_to_start_when_unsafe(
    change: dict[str, str | None], message: str
) -> None:
    env = good_production_env()
    for name, value in change.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value
    result = run_python(SETUP, env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_wsgi_refuses_to_serve_without_a_secret() -> None:
    """gunicorn loads protection.wsgi, which must default to production settings."""
    env = good_production_env()
    env.pop("DJANGO_SETTINGS_MODULE")
    env.pop("SECRET_KEY")
    result = run_python("import protection.wsgi", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = run_python(
        "", good_production_env(), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_keeps_sessions_and_csrf_on_https() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, s.DEBUG, s.EMAIL_USE_TLS and s.EMAIL_USE_SSL, "
        "s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.API_DOCS_REQUIRE_LOGIN)"
    )
    result = run_python(code, good_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "True",
        "False",
        "False",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
    ]


DEV_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE']); print(s.DATABASES['default']['NAME']); "
    "print(s.CELERY_BROKER_URL); print(s.DEBUG)"
)


def test_dev_defaults_to_sqlite_and_the_filesystem_broker(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "protection.settings.dev", "PROTECTION_VAR_DIR": str(tmp_path)}
    result = run_python(DEV_PROBE, env)
    assert result.returncode == 0, result.stderr
    engine, name, broker, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name == str(tmp_path / "protection.sqlite3")
    assert broker == "filesystem://"
    assert debug == "True"
    assert (tmp_path / "broker" / "queue").is_dir()


def test_dev_uses_postgresql_and_redis_when_told(tmp_path: Path) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
        "PROTECTION_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/protection",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    result = run_python(DEV_PROBE, env)
    assert result.returncode == 0, result.stderr
    engine, name, broker, _debug = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert name == "protection"
    assert broker == "redis://127.0.0.1:6379/0"


def test_production_passkeys_belong_to_the_sites_https_host() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.OTP_WEBAUTHN_RP_ID, ','.join(s.OTP_WEBAUTHN_ALLOWED_ORIGINS))"
    )
    result = run_python(code, good_production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["protection.example.org", "https://protection.example.org"]

    named = {**good_production_env(), "PASSKEY_RP_ID": "example.org"}
    named["PASSKEY_ALLOWED_ORIGINS"] = "https://protection.example.org,https://cases.example.org"
    result = run_python(code, named)
    assert result.stdout.split() == [
        "example.org",
        "https://protection.example.org,https://cases.example.org",
    ]

    plain = {**good_production_env(), "PASSKEY_ALLOWED_ORIGINS": "http://protection.example.org"}
    result = run_python(SETUP, plain)
    assert result.returncode != 0
    assert "PASSKEY_ALLOWED_ORIGINS must list https:// addresses only." in result.stderr

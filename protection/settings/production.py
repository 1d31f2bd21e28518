"""Production settings: everything from the environment, and refuse to start when unsafe."""

import os

from django.core.exceptions import ImproperlyConfigured

from protection.crypto.keyring import production_keys
from protection.settings.base import *  # noqa: F403
from protection.settings.base import (
    ALLOWED_HOSTS,
    DEBUG,
    OTP_WEBAUTHN_ALLOWED_ORIGINS,
    PIPELINE_HEALTH_TOKEN,
    PROTECTION_FIELD_KEYS,
    SECRET_KEY,
    WEBHOOK_PROXY_URL,
    env_bool,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters of real randomness.")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this site answers to.")
# Raises ImproperlyConfigured when the keys are missing, malformed or the development key.
production_keys(PROTECTION_FIELD_KEYS)
if PIPELINE_HEALTH_TOKEN and len(PIPELINE_HEALTH_TOKEN) < 32:
    raise ImproperlyConfigured("PIPELINE_HEALTH_TOKEN must be at least 32 random characters.")

# Webhooks leave either pinned to the addresses that were checked, or through an egress proxy
# that filters them; production says which (protection/notifications/egress.py).
WEBHOOK_EGRESS = os.environ.get("WEBHOOK_EGRESS", "")
if WEBHOOK_EGRESS not in {"direct", "proxy"}:
    raise ImproperlyConfigured('WEBHOOK_EGRESS must be "direct" or "proxy" in production.')
if WEBHOOK_EGRESS == "proxy" and not WEBHOOK_PROXY_URL:
    raise ImproperlyConfigured('WEBHOOK_EGRESS is "proxy": set WEBHOOK_PROXY_URL.')
if WEBHOOK_EGRESS == "direct" and WEBHOOK_PROXY_URL:
    raise ImproperlyConfigured(
        'WEBHOOK_PROXY_URL is set but WEBHOOK_EGRESS is "direct": set it to "proxy" to use it.'
    )

# Passkeys belong to the site's own domain and answer only to its HTTPS pages: unless the
# environment names them (PASSKEY_RP_ID, PASSKEY_ALLOWED_ORIGINS), the first host name and every
# listed host are used; a plain-HTTP origin refuses to start.
_hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if "*" not in host]
if "PASSKEY_RP_ID" not in os.environ and _hosts:
    OTP_WEBAUTHN_RP_ID = _hosts[0]
if "PASSKEY_ALLOWED_ORIGINS" not in os.environ:
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"https://{host}" for host in _hosts]
if not all(origin.startswith("https://") for origin in OTP_WEBAUTHN_ALLOWED_ORIGINS):
    raise ImproperlyConfigured("PASSKEY_ALLOWED_ORIGINS must list https:// addresses only.")

# TLS ends at the reverse proxy in front of gunicorn, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The container health check asks over plain HTTP from inside; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^health/live$"]
# Record the client address the proxy saw, not the proxy's own, in the audit trail.
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# "__Host-": the browser keeps these cookies only when set over HTTPS, for this host alone
# (no Domain), for the whole site, so that a sibling subdomain cannot plant or shadow them.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# STARTTLS on 587 by default; EMAIL_USE_SSL=1 for implicit TLS on 465 (the two exclude each other).
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
SERVER_EMAIL = os.environ.get(
    "SERVER_EMAIL", os.environ.get("DEFAULT_FROM_EMAIL", "root@localhost")
)

"""Settings shared by every environment; each value can be overridden from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from protection.settings.env import BASE_DIR, VAR_DIR, env_bool, env_list

# Let the generic classes the type stubs describe (ModelAdmin[Site], ModelForm[Service], ...)
# be subscripted at run time too; it changes nothing else.
django_stubs_ext.monkeypatch()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Keys the hashes that stand in the audit trail for personal and free-text values
# (protection.audit_values). Falls back to SECRET_KEY; set it apart so that rotating the
# signing key does not end the trail's ability to prove an old value.
AUDIT_HASH_KEY = os.environ.get("AUDIT_HASH_KEY", "")
# The keys that encrypt the narratives (protection/crypto/keyring.py): "kid:base64key,...",
# the first one encrypts, all of them decrypt. Production refuses to start without them;
# development and tests derive a "dev" key from SECRET_KEY when this is empty.
PROTECTION_FIELD_KEYS = os.environ.get("PROTECTION_FIELD_KEYS", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "protection",
    "protection.accounts",
    "partners",
    "camps",
    "cases",
    "incidents",
    "protection.monitoring",
    "protection.notifications",
    "protection.health",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header, and the nonce of each response (request.csp_nonce).
    "csp.middleware.CSPMiddleware",
    # Pages are compressed for slow field connections; Django pads the output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lists, searches, dashboards and figures may read from a replica (protection/replicas.py).
    "protection.replicas.ReplicaReadsMiddleware",
    # Which device, if any, verified this session (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    # No browser or proxy keeps a copy of what a signed-in user was shown (protection.headers).
    "protection.headers.NoStoreMiddleware",
    "protection.headers.ClearSiteDataOnSignOutMiddleware",
    "protection.audit.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session owing its second-factor code or enrolment reaches only those pages.
    "protection.accounts.middleware.SecondFactorMiddleware",
    # Field mode's queue sender gets a short answer, for its own user only (protection.fieldmode).
    "protection.fieldmode.FieldSyncMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "protection.urls"
WSGI_APPLICATION = "protection.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "protection.context_processors.navigation",
                "incidents.context_processors.navigation_counts",
            ],
        },
    },
]

from protection.settings.databases import *  # noqa: E402, F403

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account (per username and client address) after five failures, for thirty minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# The second factor (protection.accounts.second_factor): the name authenticator apps show,
# and the wait after each wrong code (1 s, 2 s, 4 s... per device; django-axes counts them too).
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Protection")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys (WebAuthn, django-otp-webauthn), as the other second factor. The relying party id is
# the site's domain (a passkey works there and on its subdomains only: changing it orphans every
# passkey); the name is what the browser shows; the origins are the full addresses pages are
# served from (comma-separated). A passkey never replaces the password here.
OTP_WEBAUTHN_RP_ID = os.environ.get("PASSKEY_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("PASSKEY_RP_NAME", "Protection")
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("PASSKEY_ALLOWED_ORIGINS", "http://localhost:8000").split(",")
    if origin.strip()
]
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = "protection.accounts.passkeys"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
# One date format and one date-time format per language: protection/formats/<language>.
FORMAT_MODULE_PATH = ["protection.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))

# The browser runs only this site's own files: no inline script or style without the
# response's nonce, no plug-ins, no framing, no <base>, forms post only here
# (README "Content-Security-Policy"). Swagger UI's and ReDoc's inline starts carry the nonce
# (templates/drf_spectacular/); both draw data: images, ReDoc's search runs in a blob: worker.
POLICY_DIRECTIVES: dict[str, list[object]] = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, NONCE],
    "img-src": [SELF, "data:"],
    "worker-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [NONE],
    "frame-ancestors": [NONE],
    "form-action": [SELF],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": POLICY_DIRECTIVES}
# The version of the key field mode's offline queue is encrypted with (protection.fieldmode):
# raising it makes every queue still on a device unreadable, so do it only to revoke them.
FIELD_KEY_VERSION = int(os.environ.get("FIELD_KEY_VERSION", "1"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "protection.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "30/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "2000/hour"),
        "token_login": os.environ.get("API_THROTTLE_TOKEN_LOGIN", "10/minute"),
    },
    "EXCEPTION_HANDLER": "protection.api.exception_handler",
}

REST_KNOX = {
    "TOKEN_TTL": __import__("datetime").timedelta(days=int(os.environ.get("API_TOKEN_DAYS", "90"))),
    "AUTO_REFRESH": False,
    "TOKEN_LIMIT_PER_USER": 5,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Protection case management API",
    "DESCRIPTION": (
        "The partner API: agencies, camps, households and people, as the caller's agency and "
        "role allow. Authenticate with a token (`Authorization: Token <token>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs and the schema ask for a sign-in unless API_DOCS_REQUIRE_LOGIN is off
    # (protection/api_docs.py); partners' systems read the schema with their token.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several choice sets share a field name ("status", "consent_scope", "reason"); name each
    # so that clients get one enum per set.
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "cases.models.PersonStatus",
        "SiteStatusEnum": "camps.models.SiteStatus",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "ActionStatusEnum": "cases.models.ActionStatus",
        "ReferralStatusEnum": "cases.models.ReferralStatus",
        "ApprovalStatusEnum": "cases.models.ApprovalStatus",
        "ClosureReasonEnum": "cases.models.ClosureReason",
        "ConsentScopeEnum": "cases.models.ConsentScope",
        "SharedFieldEnum": "cases.models.SharedField",
        "IncidentStatusEnum": "incidents.models.IncidentStatus",
        "AlertStatusEnum": "incidents.models.AlertStatus",
        "ConcernKindEnum": "incidents.models.ConcernKind",
        "ReportChannelEnum": "incidents.models.ReportChannel",
        "ReportStateEnum": "incidents.models.ReportState",
        "ImportStatusEnum": "cases.models.ImportStatus",
        "ImportRowStatusEnum": "cases.models.ImportRowStatus",
        "IdentifierKindEnum": "cases.models.IdentifierKind",
        "CorridorStatusEnum": "incidents.models.CorridorStatus",
    },
}

# The API's documentation (Swagger UI, ReDoc) and its schema need a signed-in user or a token.
# On by default and in production; dev turns it off (API_DOCS_REQUIRE_LOGIN=1 turns it on).
API_DOCS_REQUIRE_LOGIN = env_bool("API_DOCS_REQUIRE_LOGIN", True)

CACHES: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "protection",
    }
}
if os.environ.get("CACHE_URL"):
    # Fails open (protection/cache.py): a cache that is down or frozen costs one request a
    # quarter of a second (a healthy Redis answers in a millisecond), then the host skips it for
    # ten; throttling lets requests through meanwhile.
    CACHES["default"] = {
        "BACKEND": "protection.cache.FailOpenRedisCache",
        "LOCATION": os.environ["CACHE_URL"],
        "OPTIONS": {
            "socket_connect_timeout": 0.25,
            "socket_timeout": 0.25,
            "pause_after_failure": 10,
        },
    }

# The broker, beat, the notification outbox and the pipeline's health: settings/pipeline.py.
from protection.settings.pipeline import *  # noqa: E402, F403

# Retention: how long each kind of record is kept before it is anonymised or deleted. These
# are the defaults the rules start from (one RetentionRule per kind, created on first use);
# once a rule exists it is changed in the admin (Audit trail > Retention rules), not here.
# Units: "days", "months" or "years". README, "Retention and erasure", lists the kinds.
RETENTION_DEFAULTS: dict[str, tuple[int, str]] = {
    "closed_cases": (int(os.environ.get("RETENTION_CLOSED_CASES_YEARS", "7")), "years"),
    "departed_people": (int(os.environ.get("RETENTION_DEPARTED_PEOPLE_YEARS", "2")), "years"),
    "access_logs": (int(os.environ.get("RETENTION_ACCESS_LOG_MONTHS", "24")), "months"),
    "delivered_notifications": (
        int(os.environ.get("RETENTION_DELIVERED_NOTIFICATION_DAYS", "90")),
        "days",
    ),
    "expired_api_tokens": (int(os.environ.get("RETENTION_EXPIRED_TOKEN_DAYS", "30")), "days"),
    "idempotency_keys": (int(os.environ.get("RETENTION_IDEMPOTENCY_KEY_DAYS", "7")), "days"),
}
# Rows changed per statement and per transaction: small enough that a batch holds its row
# locks for well under a second, large enough that a million rows take minutes, not hours.
RETENTION_BATCH_SIZE = int(os.environ.get("RETENTION_BATCH_SIZE", "5000"))

# Idempotent writes (an API Idempotency-Key, a page form's token): how long a key holds. A
# retry within this time is answered from the first request; clients are told 24 hours.
IDEMPOTENCY_KEY_HOURS = max(24, int(os.environ.get("IDEMPOTENCY_KEY_HOURS", "24")))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Where the development backend (protection.mail) writes each message.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "alerts@protection.invalid")

# Duplicate detection: date-of-birth tolerance in years and the score at which a match is shown.
DUPLICATE_DOB_TOLERANCE_YEARS = int(os.environ.get("DUPLICATE_DOB_TOLERANCE_YEARS", "2"))
DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS = int(
    os.environ.get("DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS", "5")
)
DUPLICATE_MIN_SCORE = int(os.environ.get("DUPLICATE_MIN_SCORE", "60"))

# Referrals: hours the receiving agency has to answer, per urgency, and how often an overdue
# referral is reminded to both sides.
REFERRAL_RESPONSE_HOURS = {
    "emergency": int(os.environ.get("REFERRAL_EMERGENCY_HOURS", "24")),
    "urgent": int(os.environ.get("REFERRAL_URGENT_HOURS", "72")),
    "routine": int(os.environ.get("REFERRAL_ROUTINE_HOURS", "168")),
}
REFERRAL_REMINDER_INTERVAL_HOURS = int(os.environ.get("REFERRAL_REMINDER_INTERVAL_HOURS", "24"))

# Published figures (statistics, aggregated exports, dashboards): a count from 1 to this minus
# one is shown as "<5", with complements hidden so that totals do not give it away.
PROTECTION_SMALL_COUNT_THRESHOLD = int(os.environ.get("PROTECTION_SMALL_COUNT_THRESHOLD", "5"))

# Exports: an individual-level export of more rows than this is written by a worker, not
# streamed; its file is kept under EXPORT_DIR (shared by web and worker) for this many hours.
EXPORT_STREAM_MAX_ROWS = int(os.environ.get("EXPORT_STREAM_MAX_ROWS", "50000"))
EXPORT_FILE_HOURS = float(os.environ.get("EXPORT_FILE_HOURS", "24"))
EXPORT_DIR = Path(os.environ.get("EXPORT_DIR", VAR_DIR / "exports"))
# A running export renews its lease with every chunk it writes (a chunk takes well under a
# second); one whose lease lapsed lost its worker, and the sweep queues it again, from the
# start, up to EXPORT_MAX_ATTEMPTS runs in all before it is marked failed.
EXPORT_LEASE_SECONDS = float(os.environ.get("EXPORT_LEASE_SECONDS", "300"))
EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "3"))
# The suppressed tables of /api/v1/statistics/ are kept this long per (statistic, scope,
# filters): a table of tens of thousands of cells costs seconds to count and suppress.
STATISTICS_CACHE_SECONDS = float(os.environ.get("STATISTICS_CACHE_SECONDS", "120"))

# Early warning: a site's incidents over the last 24 hours and 7 days against its own baseline
# (the previous weeks); raised when the Poisson upper-tail probability of a count at least that
# high is below the threshold and the count reaches the minimum.
EARLY_WARNING_THRESHOLD = float(os.environ.get("EARLY_WARNING_THRESHOLD", "0.01"))
EARLY_WARNING_BASELINE_WEEKS = int(os.environ.get("EARLY_WARNING_BASELINE_WEEKS", "8"))
EARLY_WARNING_MIN_COUNT_24H = int(os.environ.get("EARLY_WARNING_MIN_COUNT_24H", "3"))
EARLY_WARNING_MIN_COUNT_7D = int(os.environ.get("EARLY_WARNING_MIN_COUNT_7D", "5"))
# A site with no history still has some expected rate: this many incidents per week.
EARLY_WARNING_BASELINE_FLOOR_PER_WEEK = float(
    os.environ.get("EARLY_WARNING_BASELINE_FLOOR_PER_WEEK", "0.5")
)

# The incident map: a tile server URL template ({z}/{x}/{y}) and its attribution. Empty: no
# tiles are loaded and the map shows incidents and camps on a blank background.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL:
    # The map's tiles are the one thing pages load from elsewhere: allow that origin for images.
    _tiles = urlsplit(MAP_TILE_URL.replace("{s}", "*"))
    POLICY_DIRECTIVES["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")

# Everything to the console once: Django's own loggers go to the root's handler only (Django's
# default gave them a second one in DEBUG), and a 403 or 404 is logged as a line, without the
# traceback of the refusal (protection/logfilters.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_refusals": {"()": "protection.logfilters.ExpectedRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["expected_refusals"]}},
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

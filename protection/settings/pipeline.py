"""Settings of the alert pipeline: the Celery broker and beat, the notification outbox, webhook
egress and the pipeline's health. Star-imported by base.py; read from the environment only.
"""

import os

from protection.settings.env import VAR_DIR, env_bool, env_list

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # Without them a publish to a frozen Redis waits forever (kombu sets none): the reporter's
    # request hung until gunicorn killed it. With them, a publish fails after a second.
    "socket_connect_timeout": 1.0,
    "socket_timeout": 1.0,
}
# After a failed publish, no process of the host asks the broker again for this long and
# deliveries are left to the sweeper (protection/notifications/queue.py), so that an outage
# costs one request a second, not every request.
BROKER_PAUSE_AFTER_FAILURE_SECONDS = 10.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Touches "<schedule file>.heartbeat" after every pass: the health check of beat reads its age.
CELERY_BEAT_SCHEDULER = "protection.scheduler:HeartbeatScheduler"
# How often beat sends the heartbeat the pipeline's health page shows the age of.
PIPELINE_HEARTBEAT_SECONDS = float(os.environ.get("PIPELINE_HEARTBEAT_SECONDS", "30"))
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "alerts-escalate": {
        "task": "incidents.tasks.alerts_escalate_due",
        "schedule": float(os.environ.get("ALERT_ESCALATION_SCAN_SECONDS", "30")),
    },
    "early-warning-scan": {
        "task": "incidents.tasks.early_warning_scan",
        "schedule": float(os.environ.get("EARLY_WARNING_SCAN_SECONDS", "3600")),
    },
    "deliveries-sweep": {
        "task": "protection.notifications.tasks.deliveries_sweep",
        "schedule": float(os.environ.get("NOTIFICATION_SWEEP_SECONDS", "30")),
    },
    "population-snapshot": {
        "task": "camps.tasks.population_snapshot_take_all",
        "schedule": float(os.environ.get("POPULATION_SNAPSHOT_SECONDS", "3600")),
    },
    # The sites' maintained headcounts, checked against a full count (camps.headcount).
    "site-headcounts-recount": {
        "task": "camps.tasks.headcounts_recount",
        "schedule": float(os.environ.get("HEADCOUNT_RECOUNT_SECONDS", "86400")),
    },
    "referral-overdue-reminders": {
        "task": "cases.tasks.referral_overdue_remind_all",
        "schedule": float(os.environ.get("REFERRAL_REMINDER_SCAN_SECONDS", "900")),
    },
    "idempotency-keys-purge": {
        "task": "protection.tasks.idempotency_keys_purge",
        "schedule": float(os.environ.get("IDEMPOTENCY_PURGE_SECONDS", "3600")),
    },
    "registry-imports-resume": {
        "task": "cases.tasks.registry_imports_resume",
        "schedule": float(os.environ.get("REGISTRY_IMPORTS_RESUME_SECONDS", "300")),
    },
    "exports-sweep": {
        "task": "protection.tasks.exports_sweep",
        "schedule": float(os.environ.get("EXPORTS_SWEEP_SECONDS", "600")),
    },
    "pipeline-heartbeat": {
        "task": "protection.health.tasks.pipeline_heartbeat",
        "schedule": PIPELINE_HEARTBEAT_SECONDS,
    },
    # Retention (protection/retention.py): anonymise and delete what its rules say has expired.
    "retention-apply": {
        "task": "protection.tasks.retention_apply",
        "schedule": float(os.environ.get("RETENTION_RUN_SECONDS", "86400")),
    },
}

# Notifications: retries back off exponentially with full jitter (a random wait up to
# base * 2^attempt, capped); a delivery still pending this long after it was due is re-sent.
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "5"))
NOTIFICATION_RETRY_BASE_SECONDS = float(os.environ.get("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
NOTIFICATION_RETRY_MAX_SECONDS = float(os.environ.get("NOTIFICATION_RETRY_MAX_SECONDS", "3600"))
NOTIFICATION_SWEEP_AFTER_SECONDS = int(os.environ.get("NOTIFICATION_SWEEP_AFTER_SECONDS", "60"))
# A sender's claim on a delivery lasts its send time limit (WEBHOOK_TIMEOUT_SECONDS, or
# EMAIL_TIMEOUT) plus this margin; after that, the sweeper has the delivery claimed again.
NOTIFICATION_LEASE_MARGIN_SECONDS = float(os.environ.get("NOTIFICATION_LEASE_MARGIN_SECONDS", "30"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_REQUIRE_HTTPS = env_bool("WEBHOOK_REQUIRE_HTTPS", True)
# Off in production: a partner's URL must not reach the server's own network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_PROXY_URL = os.environ.get("WEBHOOK_PROXY_URL", "")
# How webhooks leave (protection/notifications/egress.py): "direct" looks the host up once,
# checks every address and connects to a checked one; "proxy" sends everything through
# WEBHOOK_PROXY_URL. Unset: "proxy" when a proxy is given, else "direct"; production must say.
WEBHOOK_EGRESS = os.environ.get("WEBHOOK_EGRESS", "") or (
    "proxy" if WEBHOOK_PROXY_URL else "direct"
)

# The pipeline's health (the admin's health page, /health/pipeline, /health/metrics). A
# monitor presents the token as "Authorization: Bearer <token>" (empty: staff sign-in only).
PIPELINE_HEALTH_TOKEN = os.environ.get("PIPELINE_HEALTH_TOKEN", "")
# Connect and read timeout of each question to the broker; a ping's answer is kept this long.
PIPELINE_BROKER_TIMEOUT_SECONDS = float(os.environ.get("PIPELINE_BROKER_TIMEOUT_SECONDS", "1"))
PIPELINE_PING_CACHE_SECONDS = float(os.environ.get("PIPELINE_PING_CACHE_SECONDS", "15"))
# Each figure's "warning,critical" thresholds: from the first it warns, from the second it is
# critical (workers answering: below them); a single number is both.
_PIPELINE_LIMITS = {
    "queue_depth": env_list("PIPELINE_QUEUE_DEPTH_LIMITS", "500,5000"),
    "oldest_pending_delivery_seconds": env_list("PIPELINE_OLDEST_PENDING_LIMITS", "120,600"),
    "deliveries_dead_24h": env_list("PIPELINE_DEAD_24H_LIMITS", "1,20"),
    "deliveries_pending": env_list("PIPELINE_PENDING_LIMITS", "500,5000"),
    "deliveries_failed": env_list("PIPELINE_FAILED_LIMITS", "20,200"),
    "beat_heartbeat_age_seconds": env_list("PIPELINE_BEAT_AGE_LIMITS", "120,600"),
    "workers_answering": env_list("PIPELINE_WORKERS_LIMITS", "1,1"),
}
PIPELINE_HEALTH_LIMITS = {
    name: (float(pair[0]), float(pair[-1])) for name, pair in _PIPELINE_LIMITS.items()
}

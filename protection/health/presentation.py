"""How the pipeline's figures read: in words on the admin page, as JSON for a monitor.

The page says each figure, its value and thresholds in the reader's language; the JSON keeps
stable names and plain numbers (seconds, counts) that a monitor can compare.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from protection.health import broker
from protection.health import figures as f
from protection.health.selectors import NO_HEARTBEAT, PipelineHealth

LABELS: dict[str, tuple[Promise, Promise]] = {
    f.QUEUE_DEPTH: (
        _("Tasks waiting in the queue"),
        _(
            "Tasks the broker holds until a worker takes them. A growing queue means the "
            "workers cannot keep up, or none is running."
        ),
    ),
    f.OLDEST_PENDING: (
        _("Oldest delivery waiting to go out"),
        _(
            "How long the oldest pending notice has waited since it was written. The sweeper "
            "sends again a notice still pending after a minute."
        ),
    ),
    f.DEAD_24H: (
        _("Deliveries given up in the last 24 hours"),
        _("Notices that ran out of attempts. The list of deliveries shows why each one failed."),
    ),
    f.PENDING: (
        _("Deliveries pending"),
        _("Notices written and not sent yet."),
    ),
    f.FAILED: (
        _("Deliveries failed, to be tried again"),
        _("Notices whose last try failed; each is tried again after a pause."),
    ),
    f.BEAT_AGE: (
        _("Last heartbeat of the scheduler"),
        _(
            "The scheduler (Celery beat) sends a heartbeat every %(interval)s and a worker "
            "records it. An old heartbeat means the scheduler stopped, or no worker reaches "
            "the queue."
        ),
    ),
    f.WORKERS: (
        _("Workers answering"),
        _("Celery workers that answered a ping within the time allowed."),
    ),
}

REASONS: dict[str, Promise] = {
    broker.UNREACHABLE: _("The broker did not answer."),
    broker.NO_ANSWER: _("The broker did not answer in time."),
    broker.NOT_REDIS: _("Only a Redis or a file-system broker can be measured."),
    NO_HEARTBEAT: _("No heartbeat has been recorded yet."),
}

STATUS_LABELS: dict[f.Status, Promise] = {
    f.Status.OK: _("OK"),
    f.Status.WARNING: _("Warning"),
    f.Status.CRITICAL: _("Critical"),
}


def duration(seconds: float) -> str:
    """Return a duration in words, in its largest sensible unit ("3 minutes")."""
    whole = int(seconds)
    if whole < 90:
        return ngettext("%(count)d second", "%(count)d seconds", whole) % {"count": whole}
    if whole < 90 * 60:
        minutes = round(whole / 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if whole < 48 * 3600:
        hours = round(whole / 3600)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = round(whole / 86400)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def _amount(figure: f.Figure, value: float) -> str:
    return duration(value) if figure.in_seconds else str(int(value))


@dataclass(frozen=True)
class Row:
    """One figure as the page shows it."""

    name: str
    label: str
    help: str
    value: str
    status: f.Status
    status_label: str
    warning: str
    critical: str
    per_agency: bool


def _threshold(figure: f.Figure, value: float) -> str:
    if figure.limits.fewer_is_worse:
        return _("fewer than %(amount)s") % {"amount": _amount(figure, value)}
    return _("from %(amount)s") % {"amount": _amount(figure, value)}


def rows(health: PipelineHealth) -> list[Row]:
    """Return the page's rows, one per figure, in the reader's language."""
    result = []
    for figure in health.figures:
        label, lazy_help = LABELS[figure.name]
        help_text = str(lazy_help)
        if figure.name == f.BEAT_AGE:
            interval = duration(float(settings.PIPELINE_HEARTBEAT_SECONDS))
            help_text = help_text % {"interval": interval}
        if figure.value is None:
            reason = REASONS.get(str(figure.detail.get("error", "")), "")
            value = _("unknown") + (f" ({reason})" if reason else "")
        else:
            value = _amount(figure, figure.value)
        result.append(
            Row(
                name=figure.name,
                label=str(label),
                help=help_text,
                value=str(value),
                status=figure.status,
                status_label=str(STATUS_LABELS[figure.status]),
                warning=str(_threshold(figure, figure.limits.warning)),
                critical=str(_threshold(figure, figure.limits.critical)),
                per_agency=figure.per_agency,
            )
        )
    return result


def document(health: PipelineHealth) -> dict[str, Any]:
    """Return the JSON a monitor reads: overall status, then each figure with its thresholds."""
    agency = health.agency
    return {
        "status": health.status.label,
        "checked_at": health.checked_at.isoformat(),
        # Whose deliveries the delivery figures count: one agency's, or (null) every agency's.
        "agency": {"id": agency.pk, "acronym": agency.acronym} if agency else None,
        "heartbeat_interval_seconds": float(settings.PIPELINE_HEARTBEAT_SECONDS),
        "figures": {
            figure.name: {
                "value": figure.value,
                "status": figure.status.label,
                "warning": figure.limits.warning,
                "critical": figure.limits.critical,
                "fewer_is_worse": figure.limits.fewer_is_worse,
                **figure.detail,
            }
            for figure in health.figures
        },
    }

"""Celery tasks for alerts: escalation and early warning. They take ids, call a service, and are
safe to run twice (each service locks the alert and checks its state first)."""

from celery import shared_task
from django.utils import timezone

from incidents.early_warning.services import early_warning_scan as early_warning_scan_service
from incidents.escalation.selectors import alerts_due
from incidents.escalation.services import alert_escalate
from protection.audit import task_context


@shared_task(name="incidents.tasks.alert_escalate")
def alert_escalate_task(alert_id: int) -> str | None:
    """Escalate one alert if it is still open and past its deadline."""
    with task_context():
        outcome = alert_escalate(alert_id=alert_id)
    return outcome.status if outcome else None


@shared_task(name="incidents.tasks.alerts_escalate_due")
def alerts_escalate_due() -> int:
    """Escalate every open alert past its deadline (beat); return how many moved."""
    moved = 0
    with task_context():
        for alert_id in alerts_due(now=timezone.now()):
            if alert_escalate(alert_id=alert_id) is not None:
                moved += 1
    return moved


@shared_task(name="incidents.tasks.early_warning_scan")
def early_warning_scan() -> int:
    """Compare each site's recent incidents with its baseline (beat); return warnings raised."""
    with task_context():
        return len(early_warning_scan_service())

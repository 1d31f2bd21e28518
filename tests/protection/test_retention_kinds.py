"""Retention of the foundation's records: the access log (a hash chain), deliveries, tokens,
idempotency keys; and the rules' defaults, validation and beat task."""

import datetime
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from knox.models import AuthToken

from protection.audit import access_log_record
from protection.audit_chain import ACCESS_CHAIN
from protection.audit_verify import chain_verify
from protection.models import AccessLog, AuditEvent, ChainPrune, IdempotencyKey, RetentionRule
from protection.notifications.models import Delivery, Notification
from protection.retention import period_cutoff, retention_apply, retention_rules
from protection.tasks import retention_apply_task
from tests.factories import register_household

pytestmark = pytest.mark.django_db


def _months_ago(months: int) -> datetime.datetime:
    return period_cutoff(timezone.now(), months, "months")


@pytest.fixture
def reads(officer: Any, site: Any) -> dict[str, list[AccessLog]]:
    """Reads of a person 30 and 25 months ago (past the 24 of the default rule), and today."""
    person = register_household(actor=officer, site=site).members[0]
    rows: dict[str, list[AccessLog]] = {"old": [], "new": []}
    for months in (30, 25):
        with time_machine.travel(_months_ago(months), tick=False):
            access_log_record(user=officer, objects=[person, person])
    rows["old"] = list(AccessLog.objects.order_by("seq"))
    access_log_record(user=officer, objects=[person])
    rows["new"] = list(AccessLog.objects.filter(seq__gt=rows["old"][-1].seq))
    return rows


def test_access_logs_older_than_the_period_are_deleted_and_the_chain_verifies(
    reads: dict[str, list[AccessLog]],
) -> None:
    assert retention_apply(kinds=["access_logs"], dry_run=True)[0].counts == {"access_logs": 4}
    assert AccessLog.objects.count() == 5

    results = retention_apply(kinds=["access_logs"])

    assert results[0].counts == {"access_logs": 4}
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [reads["new"][0].pk]
    prune = ChainPrune.objects.get()
    assert prune.up_to_seq == reads["old"][-1].seq and prune.rows == 4
    assert prune.up_to_hash == reads["old"][-1].row_hash
    event = AuditEvent.objects.get(action="access_log.prune")
    assert event.changes["up_to_seq"] == [0, prune.up_to_seq]
    report = chain_verify(ACCESS_CHAIN)
    assert report.ok and report.first_seq == prune.up_to_seq + 1 and report.rows == 1
    # The next run finds nothing; the rows kept are still protected by the trigger.
    assert retention_apply(kinds=["access_logs"])[0].counts == {"access_logs": 0}
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM protection_accesslog")
    assert AccessLog.objects.count() == 1


def test_the_chain_goes_on_after_every_row_was_pruned(officer: Any, site: Any) -> None:
    person = register_household(actor=officer, site=site).members[0]
    with time_machine.travel(_months_ago(30), tick=False):
        access_log_record(user=officer, objects=[person])
    retention_apply(kinds=["access_logs"])
    assert AccessLog.objects.count() == 0

    access_log_record(user=officer, objects=[person])

    row = AccessLog.objects.get()
    assert row.seq == 2 and row.prev_hash == ChainPrune.objects.get().up_to_hash
    assert chain_verify(ACCESS_CHAIN).ok


def test_a_removed_row_past_the_prune_is_still_reported(reads: dict[str, list[AccessLog]]) -> None:
    retention_apply(kinds=["access_logs"])
    user = reads["new"][0].user
    access_log_record(user=user, objects=[user, user])
    middle = ChainPrune.objects.get().up_to_seq + 2
    table = "protection_accesslog"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        cursor.execute("DELETE FROM protection_accesslog WHERE seq = %s", [middle])
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")

    report = chain_verify(ACCESS_CHAIN)

    assert not report.ok and "missing" in str(report.breaks[0])


def _delivery(officer: Any, key: str, sent_days_ago: int | None) -> Delivery:
    sent = timezone.now() - datetime.timedelta(days=sent_days_ago) if sent_days_ago else None
    return Delivery.objects.create(
        key=key,
        channel="in_app",
        recipient_user=officer,
        event="alert",
        source_type="incidents.incident",
        source_id="1",
        subject="An incident near you",
        status="sent" if sent else "pending",
        sent_at=sent,
    )


def test_delivered_notifications_go_unless_unread_or_recent(officer: Any) -> None:
    old_read = _delivery(officer, "old-read", 120)
    old_unread = _delivery(officer, "old-unread", 120)
    recent = _delivery(officer, "recent", 10)
    pending = _delivery(officer, "pending", None)
    for delivery, read in ((old_read, True), (old_unread, False), (recent, True)):
        Notification.objects.create(
            recipient=officer,
            delivery=delivery,
            event="alert",
            source_type="incidents.incident",
            source_id="1",
            subject="An incident near you",
            read_at=timezone.now() if read else None,
        )

    results = retention_apply(kinds=["delivered_notifications"])

    assert results[0].counts == {"deliveries": 1, "notifications": 1}
    kept = set(Delivery.objects.values_list("key", flat=True))
    assert kept == {"old-unread", "recent", "pending"}
    assert not Notification.objects.filter(delivery_id=old_read.pk).exists()
    assert pending.pk in set(Delivery.objects.values_list("pk", flat=True))


def test_expired_tokens_and_old_idempotency_keys_are_deleted(officer: Any) -> None:
    AuthToken.objects.create(user=officer, expiry=datetime.timedelta(days=-40))
    AuthToken.objects.create(user=officer, expiry=datetime.timedelta(days=-5))
    AuthToken.objects.create(user=officer, expiry=datetime.timedelta(days=10))
    now = timezone.now()
    for days, key in ((10, "a" * 64), (1, "b" * 64)):
        IdempotencyKey.objects.create(
            user=officer,
            key_digest=key,
            fingerprint="f" * 64,
            status_code=201,
            created_at=now - datetime.timedelta(days=days),
        )

    results = {
        r.kind: r.counts for r in retention_apply(kinds=["expired_api_tokens", "idempotency_keys"])
    }

    assert results == {
        "expired_api_tokens": {"api_tokens": 1},
        "idempotency_keys": {"idempotency_keys": 1},
    }
    assert AuthToken.objects.count() == 2
    assert list(IdempotencyKey.objects.values_list("key_digest", flat=True)) == ["b" * 64]


def test_rules_start_from_settings_and_refuse_an_action_the_kind_cannot_take() -> None:
    rules = retention_rules()

    assert (rules["closed_cases"].period, rules["closed_cases"].unit) == (7, "years")
    assert (rules["access_logs"].period, rules["access_logs"].unit) == (24, "months")
    assert rules["departed_people"].action == "anonymise"
    from protection.retention import retention_rule_update

    rule = rules["access_logs"]
    rule.action = "anonymise"
    with pytest.raises(ValidationError, match="can only be"):
        retention_rule_update(actor=None, rule=rule)  # type: ignore[arg-type]
    rule.action, rule.period = "delete", 0
    with pytest.raises(ValidationError):
        retention_rule_update(actor=None, rule=rule)  # type: ignore[arg-type]
    assert RetentionRule.objects.get(kind="access_logs").period == 24


def test_the_beat_task_applies_the_rules(reads: dict[str, list[AccessLog]]) -> None:
    counts = retention_apply_task()

    assert counts["access_logs"] == 4
    assert AuditEvent.objects.filter(action="retention.apply", channel="task").count() == 1
    out = StringIO()
    call_command("retention", "--kind", "access_logs", stdout=out)
    assert "access_logs (delete after 24 months" in out.getvalue()
    assert "nothing to do" in out.getvalue()

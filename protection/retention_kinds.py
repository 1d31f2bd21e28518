"""The foundation's own kinds of record under retention: access logs, API tokens, idempotency
keys. Registered from ProtectionConfig.ready(), as the apps register theirs.

The access log is hash-chained and append-only (protection/audit_chain.py): its oldest rows
go as a prefix of the chain. A ChainPrune row records where the chain now starts (the last
seq removed and its hash) before any row is deleted; the database refuses to delete a row no
prune covers (migration protection 0008), audit_verify starts from the latest prune, and the
audit trail, which is never pruned, records each prune with its seq and count.
"""

from django.db import connections, router, transaction
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from protection.audit import audit_record
from protection.audit_chain import ACCESS_CHAIN, chain_lock
from protection.idempotency import key_lifetime
from protection.models import AccessLog, ChainPrune, IdempotencyKey, RetentionAction
from protection.retention import (
    Counts,
    RetentionKind,
    RetentionPass,
    keyset_batches,
    register_retention_kind,
)


def access_log_pruned_to(chain_name: str = ACCESS_CHAIN.name) -> ChainPrune | None:
    """Return the latest prune of the chain: where its first kept row links to."""
    return ChainPrune.objects.filter(chain=chain_name).order_by("-up_to_seq").first()


def _access_prefix_end(retention: RetentionPass) -> int:
    """Return the last seq of the chain's prefix older than the cutoff (0 when none).

    Rows get their time under the chain's lock, so times grow along the chain; the prefix
    still stops at the first row at or after the cutoff, whatever follows it.
    """
    first_kept = AccessLog.objects.filter(created_at__gte=retention.cutoff).aggregate(
        seq=Min("seq")
    )["seq"]
    if first_kept is not None:
        return int(first_kept) - 1
    last = AccessLog.objects.aggregate(seq=Max("seq"))["seq"]
    return int(last or 0)


def access_logs_apply(retention: RetentionPass) -> Counts:
    """Delete (or count) the access-log rows older than the cutoff, as a prefix of the chain."""
    previous = access_log_pruned_to()
    start = previous.up_to_seq if previous else 0
    end = _access_prefix_end(retention)
    doomed = AccessLog.objects.filter(seq__gt=start, seq__lte=end)
    if end <= start:
        return {"access_logs": 0}
    if retention.dry_run:
        return {"access_logs": doomed.count()}
    using = router.db_for_write(AccessLog)
    with transaction.atomic(using=using):
        # No row may join the chain while its new start is written.
        chain_lock(ACCESS_CHAIN, using=using, after_audit=True)
        last_hash = AccessLog.objects.filter(seq=end).values_list("row_hash", flat=True).first()
        rows = doomed.count()
        prune = ChainPrune.objects.create(
            chain=ACCESS_CHAIN.name,
            up_to_seq=end,
            up_to_hash=last_hash or "",
            before=retention.cutoff,
            rows=rows,
        )
        audit_record(
            actor=retention.actor,
            action="access_log.prune",
            obj=prune,
            changes={
                "up_to_seq": [start, end],
                "records": [None, rows],
                "before": [None, retention.cutoff.isoformat()],
            },
        )
    table = AccessLog._meta.db_table
    deleted = 0
    low = start
    while low < end:
        high = min(low + retention.batch_size, end)
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE seq > %s AND seq <= %s", [low, high])  # noqa: S608
            deleted += cursor.rowcount
        low = high
    return {"access_logs": deleted}


def idempotency_keys_apply(retention: RetentionPass) -> Counts:
    """Delete (or count) the idempotency keys older than the cutoff and past their lifetime."""
    # Never a key still within its lifetime: a retry must find it (protection/idempotency.py).
    cutoff = min(retention.cutoff, retention.now - key_lifetime())
    expired = IdempotencyKey.objects.filter(created_at__lt=cutoff)
    if retention.dry_run:
        return {"idempotency_keys": expired.count()}
    deleted = 0
    for batch in keyset_batches(expired, size=retention.batch_size):
        deleted += IdempotencyKey.objects.filter(pk__in=batch).delete()[0]
    return {"idempotency_keys": deleted}


def expired_api_tokens_apply(retention: RetentionPass) -> Counts:
    """Delete (or count) the API tokens that expired before the cutoff (digests only)."""
    expired = AuthToken.objects.filter(expiry__lt=retention.cutoff)
    if retention.dry_run:
        return {"api_tokens": expired.count()}
    deleted = 0
    for batch in keyset_batches(expired, size=retention.batch_size):
        deleted += AuthToken.objects.filter(pk__in=batch).delete()[0]
    return {"api_tokens": deleted}


def register() -> None:
    """Register the foundation's kinds (ProtectionConfig.ready)."""
    delete = RetentionAction.DELETE
    register_retention_kind(
        RetentionKind("access_logs", _("Record access log"), delete, access_logs_apply)
    )
    register_retention_kind(
        RetentionKind(
            "expired_api_tokens", _("Expired API tokens"), delete, expired_api_tokens_apply
        )
    )
    register_retention_kind(
        RetentionKind("idempotency_keys", _("Idempotency keys"), delete, idempotency_keys_apply)
    )

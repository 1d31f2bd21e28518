"""Writes that happen once per key: the API's Idempotency-Key, a page form's one-time token.

A client that got no answer (a timeout, a dropped connection, a double click, a phone that
lost its signal) sends the same request again under the same key. The first request to hold
a key runs and, in the same transaction as its own writes, records what it created; any later
request with the key writes nothing and is answered from that record. Keys are per user, so
one user's key never meets another's, and live `IDEMPOTENCY_KEY_HOURS` (24 by default), after
which `idempotency_keys_purge` (a periodic task) deletes them.

What is kept, and what is not. The key itself is kept as its SHA-256. The request (method,
path and body, which holds names and narratives) is kept as a keyed hash (HMAC with the
SECRET_KEY): enough to tell "the same request" from "another request under a reused key",
useless to guess a body from. The answer is not kept: a retry is answered by reading the
record again, for the same user, through the same selector and serializer as a read would
(`protection.api.ProtectedViewSet.replay`). So a retry shows the record as it is now, logs
the read like any other, and shows nothing that the user may no longer see: a copy of each
answer would have been a second store of personal data outside the records' own rules
(access, anonymisation, the read log). A page keeps the address of the record's page.

A retry that arrives while the first request still runs is told apart with a
transaction-scoped advisory lock on (user, key): the API answers 409 at once (`wait=False`,
as the IETF draft "The Idempotency-Key HTTP Header Field" asks), a page waits for the first
request and then follows it to its record. The unique constraint on (user, key) is the
backstop. SQLite (the development default) has no advisory locks; it serializes writers
itself (its transactions begin IMMEDIATE), so the second request finds the first's row.
"""

import datetime
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from protection.models import IdempotencyKey

if TYPE_CHECKING:
    from protection.accounts.models import User

logger = logging.getLogger(__name__)

# Two-key advisory locks: (namespace, key); the audit chain uses another namespace.
LOCK_NAMESPACE = 0x69646D70  # "idmp"
KEY_MAX_LENGTH = 255
_FINGERPRINT_SALT = "protection.idempotency.fingerprint"


@dataclass(frozen=True)
class Outcome:
    """What the first request under a key did: its status, and the record it created or
    changed (the API's id, a page's address)."""

    status_code: int
    object_id: int | None = None
    location: str = ""


@dataclass
class Claim:
    """A request's hold on a key. `earlier` is set when a request under the key succeeded
    before (`same_request` tells whether it was this same request); otherwise the caller runs
    the write and, if it succeeded, sets `outcome` before leaving the block."""

    earlier: Outcome | None = None
    same_request: bool = True
    outcome: Outcome | None = None


class KeyInUse(Exception):
    """Another request under this key is still running."""


def key_lifetime() -> datetime.timedelta:
    """Return how long a key holds: at least a day, as the clients are told."""
    return datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def key_digest(key: str) -> str:
    """Return the stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def canonical_body(body: Any) -> str:
    """Return the body as canonical JSON: the same data gives the same text, whatever order
    or spacing the client sent it in."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    """Return a keyed hash of the request: method, path (with its query) and canonical body."""
    message = f"{method.upper()}\n{path}\n{canonical_body(body)}"
    return salted_hmac(_FINGERPRINT_SALT, message, algorithm="sha256").hexdigest()


def _lock(user_id: int, digest: str, *, wait: bool) -> bool:
    """Take the (user, key) lock until the transaction ends; False if `wait` is off and
    another transaction holds it."""
    if connection.vendor != "postgresql":
        return True
    mixed = hashlib.sha256(f"{user_id}:{digest}".encode()).digest()
    lock_id = int.from_bytes(mixed[:4], "big", signed=True)
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [LOCK_NAMESPACE, lock_id])
        row = cursor.fetchone()
    return wait or bool(row and row[0])


@contextmanager
def key_claim(*, user: "User", key: str, fingerprint: str, wait: bool) -> Iterator[Claim]:
    """Hold `key` for one request of `user`, in a transaction around the caller's write.

    Raise KeyInUse when another request holds the key and `wait` is off. If an earlier
    request under the key succeeded, yield a claim that says so and write nothing. Otherwise
    the caller writes; if it set `claim.outcome`, the key is recorded with it in the same
    transaction, and an exception rolls back both.
    """
    digest = key_digest(key)
    with transaction.atomic():
        if not _lock(user.pk, digest, wait=wait):
            raise KeyInUse
        row = IdempotencyKey.objects.filter(user=user, key_digest=digest).first()
        expired = row is not None and row.created_at <= timezone.now() - key_lifetime()
        if row is not None and not expired:
            yield Claim(
                earlier=Outcome(row.status_code, row.object_id, row.location),
                same_request=hmac.compare_digest(row.fingerprint, fingerprint),
            )
            return
        claim = Claim()
        yield claim
        if claim.outcome is None:
            return
        if row is not None:  # Past its lifetime and not purged yet: the key starts afresh.
            row.delete()
        try:
            IdempotencyKey.objects.create(
                user=user,
                key_digest=digest,
                fingerprint=fingerprint,
                status_code=claim.outcome.status_code,
                object_id=claim.outcome.object_id,
                location=claim.outcome.location[:300],
            )
        except IntegrityError as error:
            # Only if a request got past the lock (there is none on SQLite): leaving the
            # block rolls this request's writes back; a retry finds the other's answer.
            raise KeyInUse from error


def idempotency_keys_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the keys past their lifetime; return how many were deleted.

    Not audited: a key is bookkeeping of a request, it names no person and holds no value,
    and the record it points to has its own audit event.
    """
    cutoff = (now or timezone.now()) - key_lifetime()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lte=cutoff).delete()
    logger.info("idempotency keys purged: %d", deleted)
    return deleted

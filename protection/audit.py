"""Write the audit trail: one event per change, one access-log row per record read.

Services call `audit_record` inside their transaction. The client address and the channel
(page, API, task, command) come from the request being served, which the middleware below
keeps in a context variable, so services need not pass the request around.
"""

import contextvars
import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models.base import ModelState
from django.http import HttpRequest, HttpResponse

from protection.audit_chain import chain_append
from protection.audit_values import (
    MASK,
    code_of,
    may_keep_value,
    object_label,
    redact_change,
    redact_changes,
)
from protection.audit_values import is_secret as _is_secret
from protection.models import AccessLog, AccessPurpose, AuditEvent, Channel

if TYPE_CHECKING:
    from protection.accounts.models import User
    from protection.accounts.types import Viewer


@dataclass(frozen=True)
class RequestContext:
    """Where the current change or read comes from."""

    channel: str
    ip_address: str | None


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request_context", default=None
)


def current_context() -> RequestContext:
    """Return the context of the request being served, or the command line outside requests."""
    return _context.get() or RequestContext(channel=Channel.COMMAND, ip_address=None)


def client_ip(request: HttpRequest) -> str | None:
    """Return the client address; trust X-Forwarded-For only behind a configured proxy."""
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Remember the channel and client address of each request for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            channel = Channel.API
        elif request.path.startswith("/admin/"):
            channel = Channel.ADMIN
        else:
            channel = Channel.WEB
        token = _context.set(RequestContext(channel=channel, ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)


class task_context:
    """Mark writes made inside the block as made by a background task."""

    def __enter__(self) -> None:
        self._token = _context.set(RequestContext(channel=Channel.TASK, ip_address=None))

    def __exit__(self, *exc: object) -> None:
        _context.reset(self._token)


class bound_context:
    """Mark writes made inside the block with a context captured earlier: a streamed response
    writes its access log after the view returned, as part of the request that asked for it."""

    def __init__(self, context: RequestContext) -> None:
        self._context = context

    def __enter__(self) -> None:
        self._token = _context.set(self._context)

    def __exit__(self, *exc: object) -> None:
        _context.reset(self._token)


def _plain(value: Any) -> Any:
    """Turn a field value into something JSON can hold."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the current values of `fields` (foreign keys as ids), for a later diff."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = _plain(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [before, after]} for the fields whose value changed."""
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            changes[name] = [MASK, MASK] if _is_secret(name) else [old, new]
    return changes


def object_type_of(obj: models.Model) -> str:
    """Return the app_label.model name under which audit rows file this object."""
    return obj._meta.label_lower


def audit_record(
    *,
    actor: "Viewer | None",
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Record that `actor` did `action` to `obj`; call inside the service's transaction.

    No actor (None, or an anonymous visitor) files the event as the system's.

    The event names every changed field but keeps only the values protection.audit_values
    allows (statuses, dates, codes, ids...); any other value, whatever the caller passed, is
    stored as a keyed hash. The object is named by its code, never by a person's name.
    """
    context = current_context()
    object_type = object_type_of(obj)
    event = AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        agency_id=getattr(actor, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=str(obj.pk),
        object_repr=object_label(object_type, obj.pk, code_of(obj)),
        changes=redact_changes(object_type, changes),
        channel=context.channel,
        ip_address=context.ip_address,
    )
    return chain_append([event])[0]


def audit_removal(
    *, actor: "Viewer | None", rows: models.QuerySet[Any], action: str, obj: models.Model, flag: str
) -> bool:
    """Delete `rows` and, when there were any, audit it on `obj` as `flag` going from True to
    False; return whether anything was deleted. Call inside the service's transaction."""
    deleted, _per_model = rows.delete()
    if deleted:
        audit_record(actor=actor, action=action, obj=obj, changes={flag: [True, False]})
    return bool(deleted)


def audit_record_many(
    *,
    actor: "Viewer | None",
    entries: Sequence[tuple[str, models.Model, Mapping[str, Any] | None]],
) -> int:
    """Record several events of one service at once: (action, object, changes) each, in order;
    return how many.

    The same events, chained in the same order, that one `audit_record` call per entry would
    write, with one lock, one read of the chain's head and one insert (a household's
    registration records the household, each member and each match dismissed together, just
    before it commits). Nobody reads the events' ids, so many go in as COPY text.
    """
    events = _shared_events(actor, len(entries))
    for event, (action, obj, changes) in zip(events, entries, strict=True):
        object_type = object_type_of(obj)
        event.action = action
        event.object_type = object_type
        event.object_id = str(obj.pk)
        event.object_repr = object_label(object_type, obj.pk, code_of(obj))
        event.changes = redact_changes(object_type, changes)
    return len(chain_append(events, ids=False))


def _shared_events(actor: "Viewer | None", count: int, **fields: Any) -> list[AuditEvent]:
    """`count` unsaved events carrying what they share (actor, agency, channel, address and
    `fields`), set once on a first event whose values the others take: Model.__init__ per event
    was most of the cost of auditing a bulk import."""
    context = current_context()
    first = AuditEvent(
        actor_id=actor.pk if actor is not None and actor.pk else None,
        agency_id=getattr(actor, "agency_id", None),
        channel=context.channel,
        ip_address=context.ip_address,
        **fields,
    )
    shared = {name: value for name, value in first.__dict__.items() if name != "_state"}
    events = []
    for _index in range(count):
        event = AuditEvent.__new__(AuditEvent)
        event.__dict__.update(shared)
        event._state = ModelState()
        events.append(event)
    return events


def _events(
    actor: "Viewer | None",
    action: str,
    object_type: str,
    records: Iterable[tuple[Any, str | None, Mapping[str, Any] | None]],
) -> list[AuditEvent]:
    """Build one event per (pk, code, changes) record, as `audit_record` would, unsaved."""
    records = list(records)
    events = _shared_events(actor, len(records), action=action, object_type=object_type)
    keeps: dict[str, bool] = {}
    for event, (pk, code, changes) in zip(events, records, strict=True):
        event.object_id = str(pk)
        event.object_repr = object_label(object_type, pk, code)
        event.changes = _redacted(object_type, changes, keeps)
    return events


def _redacted(
    object_type: str, changes: Mapping[str, Any] | None, keeps: dict[str, bool]
) -> dict[str, Any]:
    """redact_changes, with a short cut for [before, after] pairs of ids under names whose
    values may be kept (what bulk loaders record): `keeps` remembers the names' answer."""
    kept: dict[str, Any] = {}
    for name, change in (changes or {}).items():
        keep = keeps.get(name)
        if keep is None:
            keep = keeps[name] = may_keep_value(object_type, name) and not _is_secret(name)
        if (
            keep
            and type(change) is list
            and len(change) == 2
            and all(item is None or type(item) is int for item in change)
        ):
            kept[name] = list(change)
        else:
            kept[name] = redact_change(object_type, name, change)
    return kept


def audit_bulk(
    *,
    actor: "Viewer | None",
    action: str,
    model: type[models.Model],
    records: Iterable[tuple[Any, str | None]],
    changes: Mapping[str, Any] | None = None,
) -> int:
    """Record that `actor` did `action` to each of `records` ((pk, code) pairs) in one insert.

    For set-based writes (retention, erasure): one event per record, so that each record's
    history shows it, with the same redacted `changes`; return how many were recorded.
    """
    events = _events(
        actor, action, model._meta.label_lower, ((pk, code, changes) for pk, code in records)
    )
    return len(chain_append(events, ids=False))


def audit_record_bulk(
    *,
    actor: "Viewer | None",
    action: str,
    objects: Sequence[models.Model],
    changes: Sequence[Mapping[str, Any]],
) -> int:
    """Record that `actor` did `action` to each of `objects`, in one insert; return the count.

    Bulk loaders call this inside their transaction: the same events, chained the same way,
    that one `audit_record` call per object would write. `changes[i]` goes with `objects[i]`.
    """
    if not objects:
        return 0
    object_type = object_type_of(objects[0])
    records = [(obj.pk, code_of(obj), change) for obj, change in zip(objects, changes, strict=True)]
    return len(chain_append(_events(actor, action, object_type, records), ids=False))


def audit_record_rows(
    *,
    actor: "Viewer | None",
    action: str,
    model: type[models.Model],
    records: Sequence[tuple[Any, str | None, Mapping[str, Any] | None]],
) -> int:
    """Record `action` on rows of `model` written without model instances; return the count.

    `records` are (pk, code, changes): the same events, chained the same way, that
    audit_record_bulk writes for instances.
    """
    if not records:
        return 0
    return len(chain_append(_events(actor, action, model._meta.label_lower, records), ids=False))


def audit_events_for(obj: models.Model, *, limit: int = 50) -> "models.QuerySet[AuditEvent]":
    """Return the newest audit events filed under `obj`, with their actors (one indexed read)."""
    return AuditEvent.objects.filter(
        object_type=object_type_of(obj), object_id=str(obj.pk)
    ).select_related("actor")[:limit]


def access_log_record(
    *,
    user: "User",
    objects: Iterable[models.Model],
    purpose: str = AccessPurpose.DETAIL,
    part: str = "",
) -> int:
    """Log that `user` read each of `objects` (one insert for all of them); return the count.

    Only selectors call this, through protection.reads; `part` names the part of a record read
    (a case's notes, for example), blank for the whole record.
    """
    context = current_context()
    rows = [
        AccessLog(
            user=user,
            agency_id=getattr(user, "agency_id", None),
            object_type=object_type_of(obj),
            object_id=str(obj.pk),
            purpose=purpose,
            part=part,
            channel=context.channel,
            ip_address=context.ip_address,
        )
        for obj in objects
    ]
    chain_append(rows, ids=False)  # nobody reads a log row's id here: a page's go in as COPY
    return len(rows)

"""Edits merged field by field against the values the officer started from (the base).

An officer opens a record, edits it (perhaps for hours, offline), and saves. Meanwhile somebody
else may have saved the same record. A row version alone would refuse the whole save; comparing
each field three ways keeps every change that can be kept and asks about the rest:

- a field the officer did not change keeps the value now saved (a stale form reverts nothing);
- a field only the officer changed is applied;
- a field both changed to the same value is fine;
- a field both changed to different values is a conflict: nothing is saved, and the officer is
  shown "yours", "theirs now" and the base for each such field, to choose, then saves again
  against the new base.

The services of each record (incidents, people) call `merge` inside their transaction, on the
row locked for update, with values in one comparable form (`comparable`): encrypted narratives
are compared decrypted, as the model gives them. The offline sync calls the same services.

Pages carry the base in a signed hidden field (`base_sign` / `base_unsign`), bound to the record
so that a base of another record is refused; the API takes it as a `base` object.
"""

import dataclasses
import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import signing
from django.db import models

from protection.audit_values import MASK

SALT = "protection.edits.base"
# A form left open for a long time offline is still a valid base; the signature only proves
# the page gave it (its age says nothing about its freshness: the comparison does).
MAX_AGE = datetime.timedelta(days=60)


@dataclasses.dataclass(frozen=True)
class FieldConflict:
    """One field both sides changed, differently: what each holds and what it was."""

    field: str
    yours: Any
    theirs: Any
    base: Any

    def as_data(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Merge:
    """The outcome of a three-way comparison."""

    # Fields to write, with the officer's values: changed by them only (or the same on both).
    changes: dict[str, Any]
    conflicts: list[FieldConflict]


class EditConflict(Exception):
    """Raised by a service when a save would overwrite another's change; nothing was saved."""

    def __init__(self, conflicts: list[FieldConflict], current: Mapping[str, Any]) -> None:
        super().__init__(", ".join(c.field for c in conflicts))
        self.conflicts = conflicts
        # The values now saved, in comparable form: the base of the next attempt.
        self.current = dict(current)

    @property
    def fields(self) -> list[str]:
        return [conflict.field for conflict in self.conflicts]


def comparable(value: Any) -> Any:
    """Return the value in the plain form compared and carried in a base (JSON's types).

    A model instance is its primary key (reference rows by their code when they have one);
    dates are ISO strings; decimals are strings; a collection is a sorted list; text is
    stripped, so that whitespace a browser adds is no change.
    """
    if isinstance(value, models.Model):
        code = getattr(value, "code", None)
        return code if isinstance(code, str) and code else value.pk
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, str):
        return value.strip().replace("\r\n", "\n")
    if isinstance(value, set | frozenset | list | tuple):
        return sorted((comparable(item) for item in value), key=str)
    return value


def comparable_all(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return every value of `values` in comparable form."""
    return {name: comparable(value) for name, value in values.items()}


def merge(
    *,
    base: Mapping[str, Any],
    current: Mapping[str, Any],
    submitted: Mapping[str, Any],
) -> Merge:
    """Compare each submitted field with its base and its current value.

    `base` and `current` hold comparable values; `submitted` holds the values to write, which
    are compared through `comparable` and returned as given in `changes`. A submitted field
    missing from the base is compared with the current value (a change the officer made on
    purpose, against what they could see): callers that accept a base require it for every
    field they submit.
    """
    changes: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for name, value in submitted.items():
        yours = comparable(value)
        theirs = current.get(name)
        was = base.get(name, theirs)
        if yours in (was, theirs):
            # Not changed by the officer (the server's value stays), or the same on both.
            continue
        if theirs == was:
            changes[name] = value
        else:
            conflicts.append(FieldConflict(field=name, yours=yours, theirs=theirs, base=was))
    return Merge(changes=changes, conflicts=conflicts)


def conflict_audit(fields: Iterable[str]) -> dict[str, list[str]]:
    """Return the audit changes of a refused save: the conflicting fields' names, no values."""
    return {name: [MASK, MASK] for name in sorted(fields)}


def base_sign(*, record: str, values: Mapping[str, Any], conflicts: Iterable[str] = ()) -> str:
    """Return the signed base a page carries: the values shown, for one record."""
    payload = {"r": record, "v": dict(values), "c": sorted(conflicts)}
    return signing.dumps(payload, salt=SALT, compress=True)


@dataclasses.dataclass(frozen=True)
class Base:
    values: dict[str, Any]
    # The fields found in conflict when this base was given: the officer must choose on each.
    conflicts: list[str]


def base_unsign(token: str, *, record: str) -> Base | None:
    """Return the base a page sent back for `record`, or None if it is missing or forged."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("r") != record:
        return None
    values, conflicts = payload.get("v"), payload.get("c")
    if not isinstance(values, dict) or not isinstance(conflicts, list):
        return None
    return Base(values=values, conflicts=[str(name) for name in conflicts])

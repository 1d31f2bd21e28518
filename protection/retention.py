"""Retention: how long each kind of record is kept, and the run that applies it.

Data kept no longer than its purpose needs (ICRC Handbook on Data Protection in Humanitarian
Action, IASC Operational Guidance on data responsibility). The apps own their records, so each
registers its kinds here from its AppConfig.ready() (`register_retention_kind`), as it
registers its access scopes: the foundation imports no app. A kind's rule (RetentionRule, one
row per kind, created from settings.RETENTION_DEFAULTS on first use, edited in the admin) gives
the period; `retention_apply` turns the period into a cutoff and asks every kind to anonymise
or delete what is older, in batches, or only to count it (a dry run).

Each kind writes through its own service, audits in bulk (one event per batch: ids and the
kind, never a value) and never touches a record under an open case or a legal hold; running
it twice changes nothing the second time.
"""

import calendar
import datetime
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from protection.audit import audit_record, diff, snapshot
from protection.models import RetentionAction, RetentionRule, RetentionUnit

if TYPE_CHECKING:
    from protection.accounts.types import Viewer

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class RetentionPass:
    """One kind's turn in a run: everything older than `cutoff` has expired."""

    kind: str
    now: datetime.datetime
    cutoff: datetime.datetime
    today: datetime.date
    dry_run: bool
    batch_size: int
    actor: "Viewer | None" = None

    @property
    def cutoff_date(self) -> datetime.date:
        """The cutoff as a day, for date columns (a record closed before it has expired)."""
        return timezone.localdate(self.cutoff)


# What a kind did (or would do): record type to count, e.g. {"cases": 3, "people": 2}.
Counts = dict[str, int]


@dataclass(frozen=True)
class RetentionKind:
    """A kind of record an app keeps for a limited time, and how it applies a pass."""

    code: str
    label: Any
    action: str
    apply: Callable[[RetentionPass], Counts]


@dataclass
class KindResult:
    """The outcome of one kind in a run."""

    kind: str
    label: Any
    action: str
    period: str
    cutoff: datetime.datetime
    counts: Counts = field(default_factory=dict)
    skipped: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


_KINDS: dict[str, RetentionKind] = {}


def register_retention_kind(kind: RetentionKind) -> None:
    """Add a kind of record to those retention applies (an app calls it from ready())."""
    if kind.action not in RetentionAction.values:
        raise ImproperlyConfigured(f"Retention kind {kind.code}: unknown action {kind.action}.")
    _KINDS[kind.code] = kind


def retention_kinds() -> dict[str, RetentionKind]:
    """Return the registered kinds by code, in registration order."""
    return dict(_KINDS)


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """Return `moment` moved back by whole months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def period_cutoff(now: datetime.datetime, period: int, unit: str) -> datetime.datetime:
    """Return the moment before which a record kept `period` `unit`s has expired."""
    if unit == RetentionUnit.DAYS:
        return now - datetime.timedelta(days=period)
    if unit == RetentionUnit.MONTHS:
        return months_before(now, period)
    if unit == RetentionUnit.YEARS:
        return months_before(now, 12 * period)
    raise ValueError(f"unknown retention unit {unit!r}")


def retention_rules(*, create: bool = True) -> dict[str, RetentionRule]:
    """Return the rule of every registered kind, creating the missing ones from settings
    (or, with `create` off, only building them, unsaved: a dry run writes nothing)."""
    rules = {rule.kind: rule for rule in RetentionRule.objects.filter(kind__in=list(_KINDS))}
    defaults: dict[str, tuple[int, str]] = settings.RETENTION_DEFAULTS
    missing = []
    for code, kind in _KINDS.items():
        if code not in rules:
            if code not in defaults:
                raise ImproperlyConfigured(f"settings.RETENTION_DEFAULTS has no entry {code!r}.")
            period, unit = defaults[code]
            missing.append(RetentionRule(kind=code, period=period, unit=unit, action=kind.action))
    if not create:
        return {**rules, **{rule.kind: rule for rule in missing}}
    for rule in RetentionRule.objects.bulk_create(missing, ignore_conflicts=True):
        rules.setdefault(rule.kind, rule)
    if missing:  # a concurrent first run may have created some: read them back
        rules.update(
            {rule.kind: rule for rule in RetentionRule.objects.filter(kind__in=list(_KINDS))}
        )
    return rules


def retention_rule_validate(rule: RetentionRule) -> None:
    """Raise ValidationError unless the rule names a registered kind and an action it takes."""
    kind = _KINDS.get(rule.kind)
    if kind is None:
        raise ValidationError({"kind": _("No installed app keeps records of this kind.")})
    if rule.action != kind.action:
        raise ValidationError(
            {
                "action": _("Records of this kind can only be: %(action)s.")
                % {"action": RetentionAction(kind.action).label}
            }
        )


RULE_FIELDS = ("period", "unit", "action", "enabled")


def retention_rule_update(*, actor: "Viewer", rule: RetentionRule) -> RetentionRule:
    """Save the rule's new period, unit, action or enabled flag (the admin's form set them);
    validate, and record which changed. Raise ValidationError for a bad rule."""
    rule.full_clean()
    retention_rule_validate(rule)
    with transaction.atomic():
        before = snapshot(RetentionRule.objects.select_for_update().get(pk=rule.pk), RULE_FIELDS)
        rule.save(update_fields=[*RULE_FIELDS, "updated_at"])
        changes = diff(before, snapshot(rule, RULE_FIELDS))
        if changes:
            audit_record(actor=actor, action="retention_rule.update", obj=rule, changes=changes)
    return rule


def retention_apply(
    *,
    actor: "Viewer | None" = None,
    kinds: Sequence[str] | None = None,
    dry_run: bool = False,
    now: datetime.datetime | None = None,
    batch_size: int | None = None,
) -> list[KindResult]:
    """Apply every enabled rule (or only `kinds`); return what each kind did or would do.

    Raise ValidationError for a kind that is not registered. A dry run writes nothing.
    """
    unknown = sorted(set(kinds or ()) - set(_KINDS))
    if unknown:
        raise ValidationError(
            {
                "kind": _("Unknown kind of record: %(kinds)s. Known: %(known)s.")
                % {"kinds": ", ".join(unknown), "known": ", ".join(_KINDS)}
            }
        )
    now = now or timezone.now()
    size = batch_size or settings.RETENTION_BATCH_SIZE
    rules = retention_rules(create=not dry_run)
    results = []
    for code, kind in _KINDS.items():
        if kinds and code not in kinds:
            continue
        rule = rules[code]
        cutoff = period_cutoff(now, rule.period, rule.unit)
        result = KindResult(
            kind=code,
            label=kind.label,
            action=rule.action,
            period=f"{rule.period} {RetentionUnit(rule.unit).label}",
            cutoff=cutoff,
        )
        # A kind named on the command line runs even when its rule is off for the beat task.
        if not rule.enabled and not kinds:
            result.skipped = True
        else:
            retention_pass = RetentionPass(
                kind=code,
                now=now,
                cutoff=cutoff,
                today=timezone.localdate(now),
                dry_run=dry_run,
                batch_size=size,
                actor=actor,
            )
            result.counts = kind.apply(retention_pass)
            if not dry_run and result.total:
                # The run, on the rule: how many of what, never which values.
                audit_record(
                    actor=actor,
                    action="retention.apply",
                    obj=rule,
                    changes={
                        "retention_kind": [None, code],
                        "records": [None, result.total],
                        "before": [None, cutoff.isoformat()],
                    },
                )
            logger.info("retention %s%s: %s", code, " (dry run)" if dry_run else "", result.counts)
        results.append(result)
    return results


def keyset_batches(queryset: "models.QuerySet[ModelT]", *, size: int) -> Iterator[list[int]]:
    """Yield the ids of `queryset` in ascending batches of `size`, by keyset (id > last).

    Each batch is one indexed query that starts after the last id seen, so a caller may
    change the rows of a batch (and take them out of the queryset) before asking the next.
    """
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    last: Any = None
    while True:
        batch = list((ids if last is None else ids.filter(pk__gt=last))[:size])
        if not batch:
            return
        yield batch
        if len(batch) < size:
            return
        last = batch[-1]


def chunks(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    """Yield `ids` in lists of at most `size`."""
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch

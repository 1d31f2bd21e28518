"""Walk the audit hash chains in order and name the rows where they break.

The walk reads a chain in pages of `seq` (keyset, through the unique index), so memory stays
flat however long the trail is, and recomputes every row's hash. After a break it carries on
from the row it stopped at, so one altered row is reported once, not as a break of every row
after it. Where retention removed the oldest rows (protection/retention_kinds.py), the walk
starts from the latest ChainPrune: the first row kept must link to the hash it recorded.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import router
from django.db.models import Q

from protection.audit_chain import GENESIS, Chain, row_digest
from protection.models import ChainPrune

PAGE = 10_000


@dataclass(frozen=True)
class ChainBreak:
    """One row where the chain does not hold, and why."""

    row_id: int
    seq: int
    problems: tuple[str, ...]

    def __str__(self) -> str:
        return f"row id {self.row_id} (seq {self.seq}): {'; '.join(self.problems)}"


@dataclass
class ChainReport:
    """What a walk over one chain found."""

    chain: Chain
    rows: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = GENESIS
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(chain: Chain, *, from_seq: int, using: str) -> Iterator[tuple[Any, ...]]:
    """Yield (id, seq, prev_hash, row_hash, *content) in (seq, id) order, one page at a time."""
    columns = ("id", "seq", "prev_hash", "row_hash", *chain.content)
    rows = chain.model.objects.using(using).order_by("seq", "id").values_list(*columns)
    last_seq, last_id = from_seq, None
    while True:
        page = rows.filter(seq__gte=last_seq)
        if last_id is not None:
            # Rows at the same seq can only exist where the unique constraint was dropped.
            page = page.exclude(Q(seq=last_seq) & Q(id__lte=last_id))
        batch = list(page[:PAGE])
        yield from batch
        if len(batch) < PAGE:
            return
        last_id, last_seq = batch[-1][0], batch[-1][1]


def _pruned_to(chain: Chain, *, using: str) -> tuple[int, str]:
    """Return (seq, hash) of the last row retention removed from the chain, or (0, GENESIS)."""
    prune = (
        ChainPrune.objects.using(using)
        .filter(chain=chain.name)
        .order_by("-up_to_seq")
        .values_list("up_to_seq", "up_to_hash")
        .first()
    )
    return (int(prune[0]), str(prune[1])) if prune else (0, GENESIS)


def _start(chain: Chain, *, from_seq: int, using: str) -> tuple[str, str | None]:
    """Return the hash the row at `from_seq` must link to, and a problem if it cannot be had."""
    pruned_seq, pruned_hash = _pruned_to(chain, using=using)
    if from_seq <= 1:
        return GENESIS, None
    if from_seq == pruned_seq + 1:
        return pruned_hash, None
    before = (
        chain.model.objects.using(using)
        .filter(seq=from_seq - 1)
        .values_list("row_hash", flat=True)
        .first()
    )
    if before is None:
        return GENESIS, f"no row at seq {from_seq - 1} to start from"
    return before, None


def chain_verify(
    chain: Chain, *, from_seq: int = 1, max_breaks: int = 20, using: str | None = None
) -> ChainReport:
    """Walk `chain` from `from_seq` and return the rows counted and the breaks found."""
    using = using or router.db_for_read(chain.model)
    report = ChainReport(chain=chain)
    # Retention removed the rows up to a recorded prune: the chain starts after it.
    from_seq = max(from_seq, _pruned_to(chain, using=using)[0] + 1)
    expected_prev, problem = _start(chain, from_seq=from_seq, using=using)
    expected_seq, previous_id = max(from_seq, 1), 0
    for row_id, seq, prev_hash, row_hash, *content in _rows(chain, from_seq=from_seq, using=using):
        report.rows += 1
        if report.first_seq is None:
            report.first_seq = seq
        values = dict(zip(chain.content, content, strict=True))
        problems = [problem] if problem else []
        problem = None
        if row_digest(chain, seq=seq, prev_hash=prev_hash, values=values) != row_hash:
            problems.append("its content does not match its hash (row altered)")
        if seq < expected_seq:
            problems.append(f"seq {seq} is taken already (row inserted out of order)")
        elif seq > expected_seq and prev_hash != expected_prev:
            problems.append(f"seq {expected_seq} to {seq - 1} are missing (rows removed)")
        elif seq > expected_seq:
            problems.append(
                f"seq {expected_seq} expected, yet it links to the row before it "
                "(row inserted with a wrong seq)"
            )
        elif prev_hash != expected_prev:
            problems.append(
                "it does not link to the row before it (a row was removed and the rest "
                "renumbered, or this one was inserted out of order)"
            )
        if row_id < previous_id:
            problems.append(f"its id is lower than the id {previous_id} before it (inserted)")
        if problems:
            report.breaks.append(ChainBreak(row_id=row_id, seq=seq, problems=tuple(problems)))
            if len(report.breaks) >= max_breaks:
                break
        expected_seq, expected_prev, previous_id = seq + 1, row_hash, row_id
        report.head_seq, report.head_hash = seq, row_hash
    return report

"""Check that nobody altered, removed or slipped in audit rows: walk the hash chains."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protection.audit_chain import CHAINS
from protection.audit_verify import ChainReport, chain_verify

LABELS = {"audit": "audit events", "access": "record access log"}


class Command(BaseCommand):
    help = (
        "Walk the audit event and record access chains in order, recompute every row's hash "
        "and name the first rows that were altered, removed or inserted out of order. "
        "Exits with status 1 when a chain is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--table",
            choices=["audit", "access", "all"],
            default="all",
            help="Which chain to walk (default: both).",
        )
        parser.add_argument(
            "--from-seq",
            type=int,
            default=1,
            help="Start at this position, trusting the row before it (incremental checks).",
        )
        parser.add_argument(
            "--max-breaks",
            type=int,
            default=20,
            help="Stop a chain after this many broken rows (default 20).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_seq"] < 1 or options["max_breaks"] < 1:
            raise CommandError("--from-seq and --max-breaks must be 1 or more.")
        names = list(CHAINS) if options["table"] == "all" else [options["table"]]
        broken = False
        for name in names:
            started = time.monotonic()
            report = chain_verify(
                CHAINS[name], from_seq=options["from_seq"], max_breaks=options["max_breaks"]
            )
            self._print(name, report, time.monotonic() - started)
            broken = broken or not report.ok
        if broken:
            raise CommandError("The audit trail does not verify: see the rows named above.")

    def _print(self, name: str, report: ChainReport, seconds: float) -> None:
        label = LABELS[name]
        span = f"seq {report.first_seq}..{report.head_seq}" if report.rows else "no rows"
        summary = (
            f"{label}: {report.rows} rows checked ({span}), head {report.head_hash[:16]}, "
            f"{seconds:.1f} s"
        )
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"OK {summary}"))
            return
        self.stderr.write(self.style.ERROR(f"BROKEN {summary}"))
        for chain_break in report.breaks:
            self.stderr.write(f"  {label}, {chain_break}")

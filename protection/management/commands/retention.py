"""Apply the retention rules now, or say what they would remove: `manage.py retention --dry-run`.

The beat task (protection.tasks.retention_apply) runs the same service every day.
"""

import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from protection.retention import retention_apply, retention_kinds


class Command(BaseCommand):
    help = "Anonymise or delete the records past their retention period (see README)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would go; change nothing"
        )
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="only this kind (repeatable); one of: " + ", ".join(retention_kinds()),
        )
        parser.add_argument("--batch-size", type=int, default=None, help="rows per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        size = options["batch_size"]
        if size is not None and not 1 <= size <= 100_000:
            raise CommandError("--batch-size must be between 1 and 100000.")
        started = time.monotonic()
        try:
            results = retention_apply(kinds=options["kinds"], dry_run=dry_run, batch_size=size)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        elapsed = time.monotonic() - started
        verb = "would go" if dry_run else "done"
        for result in results:
            if result.skipped:
                self.stdout.write(f"{result.kind}: rule disabled, skipped")
                continue
            counts = ", ".join(f"{name} {count}" for name, count in result.counts.items() if count)
            self.stdout.write(
                f"{result.kind} ({result.action} after {result.period}, "
                f"before {result.cutoff:%Y-%m-%d}): "
                + (f"{verb}: {counts}" if counts else "nothing to do")
            )
        total = sum(result.total for result in results)
        rate = total / elapsed if elapsed > 0 else 0.0
        prefix = "Dry run: nothing changed. " if dry_run else ""
        self.stdout.write(f"{prefix}{total} records in {elapsed:.1f} s ({rate:,.0f} per second)")

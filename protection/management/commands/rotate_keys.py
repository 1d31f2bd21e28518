"""Re-encrypt every encrypted value under the primary key of PROTECTION_FIELD_KEYS."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protection.crypto import columns, keyring
from protection.crypto.cipher import DecryptionError


class Command(BaseCommand):
    help = (
        "Re-encrypt, under the first key of PROTECTION_FIELD_KEYS, every encrypted value stored "
        "under another key, column by column in batches. Values already under the primary key "
        "are skipped, so a run that stopped is resumed by running it again. --dry-run counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count, per column, the values under the primary key, other keys, in clear.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=columns.DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {columns.DEFAULT_BATCH_SIZE}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be 1 or more.")
        try:
            ring = keyring.current()
        except keyring.KeyringError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Primary key: {ring.primary_kid} (of {', '.join(ring.keys)})")
        if options["dry_run"]:
            self._count()
        else:
            self._rotate(options["batch_size"])

    def _count(self) -> None:
        total_other = total_clear = 0
        for col in columns.encrypted_columns():
            counts = columns.column_counts(col)
            total_other += counts.under_other_keys
            total_clear += counts.in_clear
            self.stdout.write(
                f"{col}: {counts.under_other_keys} to re-encrypt, "
                f"{counts.under_primary} under the primary key, {counts.in_clear} in clear"
            )
        self.stdout.write(f"Dry run: {total_other} values would be re-encrypted; nothing written.")
        if total_clear:
            self.stderr.write(
                f"{total_clear} values are stored in clear: run `manage.py migrate` first."
            )

    def _rotate(self, batch_size: int) -> None:
        started = time.monotonic()
        total = 0
        for col in columns.encrypted_columns():
            done = 0
            try:
                for batch in columns.rotate(col, batch_size=batch_size):
                    done += batch.changed
                    self.stdout.write(f"{col}: {done} re-encrypted (up to id {batch.last_pk})")
            except DecryptionError as error:
                raise CommandError(
                    f"{error} {total + done} values were re-encrypted before this one; "
                    "fix the key list and run the command again to resume."
                ) from error
            if not done:
                self.stdout.write(f"{col}: nothing to re-encrypt")
            total += done
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{total} values re-encrypted in {seconds:.1f} s."))

"""Add the standard reference lists; safe to run again (adds only what is missing)."""

from typing import Any

from django.core.management.base import BaseCommand

from protection.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Load site types, displacement statuses, specific needs, sectors and countries."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, count in load_reference_data().items():
            self.stdout.write(f"{name}: {count} added")

"""Print the current second-factor code of a demo account (development only)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from protection.accounts.models import User
from protection.demo.authenticator import current_code, demo_device


class Command(BaseCommand):
    help = (
        "Print the 6-digit code a demo account's authenticator shows now: the demo enrols "
        "its administrators and supervisors with a published key (README, Demo logins)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        device = demo_device(user) if user is not None else None
        if device is None:
            raise CommandError(
                f"{options['username']!r} has no authenticator with the demo's published key: "
                "only the demo's accounts do."
            )
        self.stdout.write(current_code(device))

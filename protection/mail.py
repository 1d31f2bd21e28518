"""The development e-mail backend: one line per message on the console, the message in a file.

`make run` sends the demo's alert e-mails; printed whole, they filled the terminal. Each message
is written to its own file under EMAIL_FILE_PATH (var/mail/ by default), and the console gets
one line saying to whom, what, and where the full text is.
"""

import itertools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

logger = logging.getLogger(__name__)
_numbers = itertools.count(1)
_lock = threading.Lock()


class SummaryConsoleBackend(BaseEmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            with _lock:
                number = next(_numbers)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = self.directory / f"{stamp}-{number:05d}.eml"
            path.write_bytes(message.message().as_bytes())
            recipients = ", ".join(message.recipients())
            logger.info("e-mail to %s: %s [%s]", recipients, message.subject, path)
            sent += 1
        return sent

"""Logging filters: expected refusals are one line, not a traceback.

Django logs every 4xx answer on `django.request` with the exception that caused it; for a 403
(PermissionDenied from the access policy) or a 404 that is a traceback for an ordinary answer.
The line stays ("Forbidden (Permission denied): /camps/"); the traceback goes. A 5xx keeps it.
"""

import logging


class ExpectedRefusals(logging.Filter):
    """Drop the traceback from a request log record whose answer is below 500."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name.startswith("django.request") and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True

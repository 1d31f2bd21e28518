"""What the console shows while the app runs: a line per refusal, a line per e-mail."""

import logging
import sys
from email import message_from_bytes
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from protection.logfilters import ExpectedRefusals

pytestmark = pytest.mark.django_db


def _request_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_refused_pages_are_logged_as_one_line_each_without_a_traceback(
    client: Client, django_user_model, caplog: pytest.LogCaptureFixture
) -> None:
    # A platform superuser belongs to no agency: the access policy refuses the camps list.
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("camps:list")).status_code == 403
        assert client.get("/no-such-page/").status_code == 404

    # The console handler's filter (settings.LOGGING) has seen the records: Django logged each
    # with the exception that caused it.
    kept = _request_records(caplog)

    assert [r.getMessage() for r in kept] == [
        f"Forbidden (Permission denied): {reverse('camps:list')}",
        "Not Found: /no-such-page/",
    ]
    assert [r.exc_info for r in kept] == [None, None]


def test_a_server_error_keeps_its_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: /x/",
            None,
            exc_info=sys.exc_info(),
        )
    record.status_code = 500

    assert ExpectedRefusals().filter(record)
    assert record.exc_info is not None


def test_the_development_mail_backend_writes_each_message_to_a_file_and_logs_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        override_settings(
            EMAIL_BACKEND="protection.mail.SummaryConsoleBackend", EMAIL_FILE_PATH=str(tmp_path)
        ),
        caplog.at_level(logging.INFO, logger="protection.mail"),
    ):
        mail.send_mail(
            "[Critical] Attack at KAK-01",
            "Acknowledge it within 15 minutes.\n" * 40,
            "alerts@protection.invalid",
            ["duty@example.org"],
        )

    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 1
    saved = message_from_bytes(files[0].read_bytes())
    assert saved["Subject"] == "[Critical] Attack at KAK-01"
    assert "Acknowledge it within 15 minutes." in saved.get_payload()
    lines = [r.getMessage() for r in caplog.records if r.name == "protection.mail"]
    assert lines == [f"e-mail to duty@example.org: [Critical] Attack at KAK-01 [{files[0]}]"]

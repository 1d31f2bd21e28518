"""An incident and its alert read their dates in the page's language, in one format each."""

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from incidents.models import Incident
from tests.incidents.conftest import report
from tests.incidents.test_pages import _form

pytestmark = pytest.mark.django_db

# A machine date in the visible text: yyyy-mm-dd or yyyy-mm-dd hh:mm (not a datetime="" value).
ISO_IN_TEXT = re.compile(r">[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<")


def _get(client: Client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}"' in body
    return body


def _in(language: str, value: Any, name: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(value), name)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "3 Jun 2026, 04:43"), ("fr", "3 juin 2026, 04:43"), ("ar", "3 يونيو 2026، 04:43")],
)
def test_the_incident_shows_its_moment_in_the_language_format_on_24_hours(
    client: Client, officer: Any, site: Any, language: str, expected: str
) -> None:
    occurred = datetime.datetime(2026, 6, 3, 4, 43, tzinfo=datetime.UTC)
    incident = report(officer, site=site, occurred_at=occurred).incident
    client.force_login(officer)

    body = _get(client, reverse("incidents:detail", args=[incident.pk]), language)

    assert expected in body
    assert _in(language, incident.reported_at, "DATE_FORMAT") in body
    assert not ISO_IN_TEXT.search(body)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_alert_shows_when_it_was_raised_in_the_language_format(
    client: Client, officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any, language: str
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    client.force_login(duty_officer)

    body = _get(client, reverse("incidents:alert_detail", args=[alert.pk]), language)

    assert _in(language, alert.raised_at, "DATETIME_FORMAT") in body
    assert not ISO_IN_TEXT.search(body)
    listing = _get(client, reverse("incidents:alert_list"), language)
    assert _in(language, alert.deadline_at, "DATETIME_FORMAT") in listing
    assert not ISO_IN_TEXT.search(listing)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_list_filter_reads_a_day_first_date_and_explains_a_wrong_one(
    client: Client, officer: Any, site: Any, language: str
) -> None:
    day = timezone.localdate() - datetime.timedelta(days=3)
    report(officer, site=site, occurred_at=timezone.now() - datetime.timedelta(days=10))
    client.force_login(officer)
    url = reverse("incidents:list")

    typed = _get(client, f"{url}?occurred_from={day:%d/%m/%Y}", language)
    wrong = _get(client, f"{url}?occurred_from=31/02/2026", language)

    assert f'value="{day:%d/%m/%Y}"' in typed
    assert 'inputmode="numeric"' in typed
    assert 'type="date"' not in typed
    assert "has-error" not in typed
    assert "has-error" in wrong
    assert f"{timezone.localdate():%d/%m/%Y}" in wrong  # the example in the error


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_moment_of_an_incident_is_typed_day_first_on_24_hours(
    client: Client, officer: Any, site: Any, language: str
) -> None:
    client.force_login(officer)
    url = reverse("incidents:report")
    form = _get(client, url, language)
    assert re.search(
        r'<input type="text" name="occurred_at" value="\d\d/\d\d/\d{4} \d\d:\d\d"', form
    )
    assert 'type="datetime-local"' not in form
    moment = timezone.localtime().replace(second=0, microsecond=0) - datetime.timedelta(hours=3)

    wrong = client.post(url, _form(site, occurred_at="11/30/2026 4:43 PM"))
    assert wrong.status_code == 200
    assert "has-error" in wrong.content.decode()
    assert not Incident.objects.exists()

    client.post(url, _form(site, occurred_at=f"{moment:%d/%m/%Y %H:%M}"))
    assert Incident.objects.get().occurred_at == moment

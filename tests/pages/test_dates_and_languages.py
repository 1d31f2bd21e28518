"""Dates read and typed in the page's language; French typography; the language in one press."""

import datetime
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from cases.models import DisplacedPerson
from protection.models import AuditEvent
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

ISO_IN_TEXT = re.compile(r">[^<]*\b\d{4}-\d{2}-\d{2}\b[^<]*<")
NBSP = "\u00a0"


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _spouse(household: Any) -> DisplacedPerson:
    return household.members.get(given_name="Nyibol")


@pytest.mark.parametrize(
    ("language", "born"), [("en", "2 Mar 1993"), ("fr", "2 mars 1993"), ("ar", "2 مارس 1993")]
)
def test_the_person_file_gives_every_date_in_the_language_format(
    officer_client: Client, household: Any, language: str, born: str
) -> None:
    person = _spouse(household)

    body = _in(officer_client, language).get(person.get_absolute_url()).content.decode()

    assert f'<html lang="{language}"' in body
    assert born in body
    with translation.override(language):
        registered = formats.date_format(timezone.localtime(person.created_at), "DATETIME_FORMAT")
    assert registered in body  # "Registered by … · 30 Nov 2026, 04:43": on 24 hours
    assert not ISO_IN_TEXT.search(body)


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_date_is_typed_day_first_with_its_format_shown(
    officer_client: Client, household: Any, language: str
) -> None:
    person = _spouse(household)
    url = reverse("cases:person_status", args=[person.pk])
    client = _in(officer_client, language)

    form = client.get(url).content.decode()
    assert f'value="{timezone.localdate():%d/%m/%Y}"' in form  # today, day first
    assert re.search(r'<input type="text" name="effective_on"[^>]*inputmode="numeric"', form)
    assert 'aria-describedby="id_effective_on_helptext"' in form
    assert f"{timezone.localdate():%d/%m/%Y}</div>" in form  # the example in the hint

    day = timezone.localdate() - datetime.timedelta(days=12)
    response = client.post(
        url, {"status": "departed", "reason": "Left for Juba.", "effective_on": f"{day:%d/%m/%Y}"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.status_changed_on) == ("departed", day)


def test_arabic_indic_digits_and_iso_dates_are_read_too(
    officer_client: Client, household: Any
) -> None:
    person = _spouse(household)
    url = reverse("cases:person_status", args=[person.pk])
    day = timezone.localdate() - datetime.timedelta(days=40)
    arabic = f"{day:%d/%m/%Y}".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    response = _in(officer_client, "ar").post(
        url, {"status": "departed", "reason": "غادر إلى جوبا.", "effective_on": arabic}
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status_changed_on == day


@pytest.mark.parametrize("typed", ["31/02/2026", "11/30/2026", "30/11/26", "yesterday"])
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_a_wrong_date_is_explained_and_nothing_is_written(
    officer_client: Client, household: Any, language: str, typed: str
) -> None:
    person = _spouse(household)
    events = AuditEvent.objects.count()

    response = _in(officer_client, language).post(
        reverse("cases:person_status", args=[person.pk]),
        {"status": "departed", "reason": "Left.", "effective_on": typed},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["effective_on"]
    assert f"{timezone.localdate():%d/%m/%Y}" in errors[0]  # says how, with an example
    assert f'value="{typed}"' in response.content.decode()  # what was typed stays to correct
    person.refresh_from_db()
    assert person.status == "active"
    assert AuditEvent.objects.count() == events


def test_french_pages_keep_punctuation_with_its_word(
    officer_client: Client, household: Any
) -> None:
    person = _spouse(household)

    body = _in(officer_client, "fr").get(reverse("cases:person_status", args=[person.pk]))
    text = body.content.decode()

    assert f"{NBSP}:" in text
    assert not re.search(r"\w [:;!?](\s|<)", text)  # no breakable space before a high mark


def test_every_language_is_one_press_away(officer_client: Client, household: Any) -> None:
    person = _spouse(household)
    page = officer_client.get(person.get_absolute_url()).content.decode()
    switcher = re.search(r'<form[^>]*action="/i18n/setlang/".*?</form>', page, re.S)
    assert switcher is not None
    buttons = re.findall(r'<button type="submit" name="language" value="(\w+)"', switcher[0])
    assert buttons == ["en", "fr", "ar"]
    assert "<select" not in switcher[0]

    # The press: one POST with the button's value, back to the same page, now in Arabic.
    response = officer_client.post(
        reverse("set_language"), {"language": "ar", "next": person.get_absolute_url()}
    )
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    arabic = officer_client.get(response["Location"]).content.decode()
    assert '<html lang="ar" dir="rtl">' in arabic
    assert 'value="ar" lang="ar" dir="rtl" aria-current="true"' in arabic


def test_another_agency_cannot_reach_the_status_form(other_officer: Any, household: Any) -> None:
    person = _spouse(household)
    url = reverse("cases:person_status", args=[person.pk])
    assert signed_in(other_officer).get(url).status_code == 404

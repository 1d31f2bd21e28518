"""The suppressed tables of /api/v1/statistics/ are kept a short while per scope and filters:
a second request answers from the cache, never another agency's or another filter's figures,
and a figure is counted afresh once STATISTICS_CACHE_SECONDS have passed."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from protection.figures import TOTAL
from tests.exports.conftest import register_people

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics/population/"


def _grand_total(body: dict) -> dict:
    names = [dimension["name"] for dimension in body["dimensions"]]
    wanted = dict.fromkeys(names, TOTAL)
    return next(f for f in body["figures"] if f["key"] == wanted)


def _total(body: dict) -> int:
    return _grand_total(body)["count"]


def test_a_second_request_answers_from_the_cache_until_it_expires(
    client_for, officer, site, registry, settings
) -> None:
    settings.STATISTICS_CACHE_SECONDS = 120
    client = client_for(officer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as counted:
            first = client.get(URL).json()
        with CaptureQueriesContext(connection) as cached:
            second = client.get(URL).json()
        assert second == first and _total(first) == 11
        counting = [q["sql"] for q in counted.captured_queries if "GROUP BY" in q["sql"]]
        assert counting  # the first request counted the people
        assert not [q for q in cached.captured_queries if "GROUP BY" in q["sql"]]
        assert len(cached.captured_queries) < len(counted.captured_queries)

        register_people(officer, site, women=6)  # the figures a minute old still stand
    with time_machine.travel(start + datetime.timedelta(seconds=60), tick=False):
        assert _total(client.get(URL).json()) == 11
    with time_machine.travel(start + datetime.timedelta(seconds=121), tick=False):
        assert _total(client.get(URL).json()) == 17


def test_another_agency_and_other_filters_are_never_answered_from_an_entry(
    client_for, officer, other_officer, analyst, registry
) -> None:
    assert _total(client_for(officer).get(URL).json()) == 11
    assert _total(client_for(other_officer).get(URL).json()) == 20
    assert _total(client_for(officer).get(URL, {"sex": "female"}).json()) == 8
    men = _grand_total(client_for(officer).get(URL, {"sex": "male"}).json())
    assert men["suppressed"] and men["display"] == "<5"  # 3 men
    # A colleague of the same agency and sites shares the entry, as the figures are the same.
    assert _total(client_for(analyst).get(URL).json()) == 11


def test_a_bad_filter_is_refused_even_after_good_ones_were_cached(client_for, officer) -> None:
    client = client_for(officer)
    assert client.get(URL, {"sex": "female"}).status_code == 200
    response = client.get(URL, {"sex": "dragon"})
    assert response.status_code == 400 and "sex" in response.json()


def test_the_cache_can_be_turned_off(client_for, officer, site, registry, settings) -> None:
    settings.STATISTICS_CACHE_SECONDS = 0
    client = client_for(officer)
    assert _total(client.get(URL).json()) == 11
    register_people(officer, site, women=6)
    assert _total(client.get(URL).json()) == 17

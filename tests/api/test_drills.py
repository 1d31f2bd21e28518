"""/api/v1/drills/: start, read, end, report; drill incidents stay out of the live API and the
statistics; bad input writes nothing; another agency's drill is not found."""

import contextlib
import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from incidents.models import Drill, Incident
from protection.figures import TOTAL
from tests import factories
from tests.incidents.conftest import make_policy, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


BODY = {"scenario": "Night attack at the market", "incident_type": "abduction", "severity": 3}


def test_a_supervisor_starts_a_drill_and_reads_its_report(
    client_for, supervisor, officer, site, other_officer
) -> None:
    make_policy(tiers=[{"users": [officer], "deadline": 10}], minimum_severity=3)
    client = client_for(supervisor)
    started = client.post(
        "/api/v1/drills/", {**BODY, "site": site.pk, "incidents": 2}, format="json"
    )
    assert started.status_code == 201, started.json()
    drill = started.json()
    assert drill["running"] is True and drill["incident_count"] == 2
    assert [d["id"] for d in client.get("/api/v1/drills/").json()["results"]] == [drill["id"]]

    body = client.get(f"/api/v1/drills/{drill['id']}/report/").json()
    assert body["alerts"] == 2 and len(body["incidents"]) == 2
    assert {row["person_id"] for row in body["rows"]} == {officer.pk}
    assert {row["outcome"] for row in body["rows"]} == {"waiting"}
    assert body["tiers"][0]["deadline_minutes"] == 10

    ended = client.post(f"/api/v1/drills/{drill['id']}/end/")
    assert ended.status_code == 200 and ended.json()["running"] is False

    other = client_for(other_officer)
    for path in (f"/api/v1/drills/{drill['id']}/", f"/api/v1/drills/{drill['id']}/report/"):
        assert other.get(path).status_code == 404
    assert other.post(f"/api/v1/drills/{drill['id']}/end/").status_code == 404


def _awkward_moments() -> dict[str, datetime.datetime | None]:
    """Moments where a week or a year turns, always ahead of today (in the mission's time zone):
    the live reports (an hour before) and the drill's incidents (a minute before) fall on
    either side of the turn, or just inside it."""
    zone = timezone.get_current_timezone()
    just_after, just_before = (
        datetime.time(0, 30, tzinfo=zone),
        datetime.time(23, 59, 30, tzinfo=zone),
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monday = tomorrow + datetime.timedelta(days=-tomorrow.weekday() % 7)
    new_year = datetime.date(tomorrow.year + 1, 1, 1)
    return {
        "now": None,
        "monday-00:30": datetime.datetime.combine(monday, just_after),
        "sunday-23:59": datetime.datetime.combine(monday + datetime.timedelta(days=6), just_before),
        "new-year-00:30": datetime.datetime.combine(new_year, just_after),
        "new-years-eve-23:59": datetime.datetime.combine(
            new_year - datetime.timedelta(days=1), just_before
        ),
    }


@pytest.mark.parametrize("moment", list(_awkward_moments()))
def test_drill_incidents_are_not_in_the_incident_api_nor_the_statistics(
    client_for, supervisor, site, moment: str
) -> None:
    at = _awkward_moments()[moment]
    with time_machine.travel(at, tick=True) if at else contextlib.nullcontext():
        # Five of each: small counts are suppressed in the figures.
        lives = [report(supervisor, site=site).incident for _ in range(5)]
        client = client_for(supervisor)
        client.post("/api/v1/drills/", {**BODY, "site": site.pk, "incidents": 5}, format="json")
        simulated = Incident.objects.filter(drill__isnull=False).first()
        assert simulated is not None
        listed = {row["id"] for row in client.get("/api/v1/incidents/").json()["results"]}
        assert listed == {incident.pk for incident in lives}
        assert client.get(f"/api/v1/incidents/{simulated.pk}/").status_code == 404
        body = client.get("/api/v1/statistics/incidents/").json()
    total = {dimension["name"]: TOTAL for dimension in body["dimensions"]}
    assert next(f["count"] for f in body["figures"] if f["key"] == total) == 5


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scenario": ""}, "scenario"),
        ({"severity": 9}, "severity"),
        ({"incident_type": "no_such_type"}, "incident_type"),
        ({"incidents": 6}, "incidents"),
        ({"site": "other"}, "site"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(
    client_for, supervisor, site, other_site, change: dict[str, Any], field: str
) -> None:
    body = {**BODY, "site": site.pk, **change}
    if body["site"] == "other":
        body["site"] = other_site.pk
    response = client_for(supervisor).post("/api/v1/drills/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Drill.objects.exists() and not Incident.objects.exists()

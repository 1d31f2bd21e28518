"""The indicators of the mission on a constructed dataset, with the clock frozen.

February 2026 at Kakuma One:
- three incidents whose alerts (30 minutes to acknowledge) were acknowledged after 10, 20
  and 60 minutes: median 20, 90th percentile 20 + 0.8 x 40 = 52; two of three in time;
- two referrals answered after 24 and 100 hours (72 allowed): one of two in time; a third,
  sent on the 27th, is not yet due on 1 March and does not count;
- two cases opened on 1 and 10 February, first assessed 2 and 6 days later: median 4,
  90th percentile 2 + 0.9 x 4 = 5.6;
- one case closed on 20 February with a return to the place of origin.
"""

import datetime
import io
from typing import Any

import pytest
import time_machine
from django.db import connection

from cases.casework import closure, plan, referral_answers
from incidents.alerts.services import alert_acknowledge
from incidents.models import Alert
from partners.models import Sector, Service
from protection.monitoring.indicators import Period, indicators, percentile
from protection.monitoring.scope import figure_scope
from tests import factories
from tests.casework.conftest import advance, open_case, refer
from tests.incidents.conftest import make_policy, report
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FEBRUARY = datetime.date(2026, 2, 1)
PERIOD = Period(first=datetime.date(2026, 1, 1), last=datetime.date(2026, 2, 28))
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 10, minutes: int = 0, month: int = 2) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, minutes, tzinfo=UTC)


@pytest.fixture
def dataset(agency, site, officer) -> dict[str, Any]:
    make_policy(
        tiers=[{"users": [officer], "in_app": True}], types=["abduction"], deadline_minutes=30
    )
    for day, waited in ((3, 10), (9, 20), (15, 60)):
        with time_machine.travel(at(day), tick=False):
            incident = report(officer, site=site, occurred_at=at(day, 9))
        with time_machine.travel(at(day) + datetime.timedelta(minutes=waited), tick=False):
            alert_acknowledge(actor=officer, alert=Alert.objects.get(incident=incident.incident))

    service = Service.objects.create(
        agency=agency, name="Legal counselling", sector=Sector.objects.get(code="legal_aid")
    )
    with time_machine.travel(at(5, month=1), tick=False):
        people = [
            factories.register_household(
                actor=officer,
                site=site,
                members=[{"given_name": name, "confirm_not_duplicate": True}],
            ).members[0]
            for name in ("Achol", "Nyandeng", "Abuk", "Ayen")
        ]
    with time_machine.travel(at(20), tick=False):
        first = advance(
            officer, open_case(officer, people[0], opened_on=at(1).date()), "assessment"
        )
        second = advance(
            officer, open_case(officer, people[1], opened_on=at(10).date()), "assessment"
        )
        plan.assessment_record(
            actor=officer, case=first, risks_identified="Threats.", assessed_on=at(3).date()
        )
        plan.assessment_record(
            actor=officer, case=second, risks_identified="Threats.", assessed_on=at(16).date()
        )
        solved = advance(
            officer,
            open_case(officer, people[2], risk_level="low", opened_on=at(10, month=1).date()),
            "follow_up",
        )
        closure.case_close(
            actor=officer, case=solved, reason="durable_solution", durable_solution="return"
        )
        third = open_case(officer, people[3], opened_on=at(20).date())  # not assessed yet
    for case, sent, answered_after in ((first, at(2), 24), (second, at(12), 100)):
        with time_machine.travel(sent, tick=False):
            referral = refer(officer, case, service)
        with time_machine.travel(sent + datetime.timedelta(hours=answered_after), tick=False):
            referral_answers.referral_accept(actor=officer, referral=referral)
    with time_machine.travel(at(27), tick=False):
        refer(officer, third, service)
    return {"site": site}


def february(rows: list[Any], site: Any) -> Any:
    (row,) = [row for row in rows if row.site_id == site.pk and row.month == FEBRUARY]
    return row


def test_indicators_per_site_and_month(dataset, officer, site):
    with time_machine.travel(NOW, tick=False):
        row = february(indicators(scope=figure_scope(officer), period=PERIOD), site)

    assert (row.incidents_acknowledged, row.acknowledgement_median_minutes) == (3, 20.0)
    assert row.acknowledgement_p90_minutes == pytest.approx(52.0)
    assert (row.alerts_due, row.alerts_on_time) == (3, 2)
    assert (row.referrals_due, row.referrals_on_time) == (2, 1)
    assert (row.cases_assessed, row.assessment_median_days) == (2, 4.0)
    assert row.assessment_p90_days == pytest.approx(5.6)
    assert row.durable_solutions == {"return": 1}


def test_the_sqlite_fallback_computes_the_same_percentiles(dataset, officer, site, monkeypatch):
    with time_machine.travel(NOW, tick=False):
        in_sql = indicators(scope=figure_scope(officer), period=PERIOD)
        monkeypatch.setattr(connection, "vendor", "sqlite")
        in_python = indicators(scope=figure_scope(officer), period=PERIOD)

    assert in_python == in_sql
    assert percentile([2.0, 6.0], 0.9) == pytest.approx(5.6)
    assert percentile([], 0.5) is None


def test_the_api_gives_the_indicators_and_suppresses_them_for_an_analyst(
    dataset, officer, agency, site
):
    query = "?first=2026-01-01&last=2026-02-28"
    analyst = factories.UserFactory(agency=agency, role="analyst")
    with time_machine.travel(NOW, tick=False):
        exact = signed_in(officer).get("/api/v1/indicators/" + query).json()
        hidden = signed_in(analyst).get("/api/v1/indicators/" + query).json()
        csv_text = signed_in(analyst).get("/api/v1/indicators/" + query + "&format=csv")

    (row,) = [r for r in exact["results"] if r["month"] == "2026-02-01"]
    assert exact["suppressed"] is False
    assert row["acknowledgement_median_minutes"] == 20.0
    assert (row["alerts_due"], row["alerts_on_time"], row["alerts_on_time_percent"]) == (3, 2, 66.7)
    assert row["referrals_on_time_percent"] == 50.0
    assert row["durable_solutions"]["return"] == 1

    (masked,) = [r for r in hidden["results"] if r["month"] == "2026-02-01"]
    assert hidden["suppressed"] is True
    assert masked["alerts_due"] is None and masked["alerts_on_time_percent"] is None
    assert masked["acknowledgement_median_minutes"] is None  # a median of three tells each
    assert csv_text["Content-Type"].startswith("text/csv")
    lines = csv_text.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("site,site_code,site_name,month,incidents_acknowledged")
    assert "Kakuma One,2026-02-01,<5," in lines[-1] or "Kakuma One,2026-02-01,<5," in lines[1]


def test_the_api_refuses_a_bad_period_and_another_agencys_site(officer, other_site):
    client = signed_in(officer)
    response = client.get("/api/v1/indicators/?first=2026-03-01&last=2026-01-01")
    assert response.status_code == 400
    assert "last" in response.json()
    response = client.get(f"/api/v1/indicators/?site={other_site.pk}")
    assert response.status_code == 400
    assert "site" in response.json()
    assert client.get("/api/v1/indicators/?first=soon").status_code == 400


def test_the_indicators_download_as_hxl_and_xlsx_suppressed_for_an_analyst(
    dataset, agency, other_site
):
    import hxl
    from openpyxl import load_workbook

    query = "/api/v1/indicators/?first=2026-01-01&last=2026-02-28&format="
    analyst = factories.UserFactory(agency=agency, role="analyst")
    with time_machine.travel(NOW, tick=False):
        hxl_answer = signed_in(analyst).get(query + "hxl")
        xlsx_answer = signed_in(analyst).get(query + "xlsx")

    assert (
        'filename="indicators-2026-01-01-2026-02-28.hxl.csv"' in hxl_answer["Content-Disposition"]
    )
    source = hxl.input.make_input(io.BytesIO(hxl_answer.content), hxl.input.InputOptions())
    rows = list(hxl.data(source))
    (february,) = [row for row in rows if row.get("#date+month") == "2026-02-01"]
    assert february.get("#loc+name") == "Kakuma One"
    assert february.get("#indicator+alerts+due+num") == "<5"
    assert other_site.name not in {row.get("#loc+name") for row in rows}

    sheet = load_workbook(io.BytesIO(xlsx_answer.content), read_only=True).active
    assert sheet is not None
    header, *lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    assert header[:4] == ["site", "site_code", "site_name", "month"]
    (february_line,) = [line for line in lines if line[3] == "2026-02-01"]
    assert february_line[header.index("alerts_due")] == "<5"

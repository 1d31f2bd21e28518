"""The dashboards as their users see them: the numbers of a seeded world, scope, suppression,
query counts and page weight."""

import datetime
import gzip
import html
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from camps.services import population_snapshot_take
from tests import factories
from tests.monitoring.conftest import WORLD
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

PAGE_BUDGET_BYTES = 150 * 1024


def tiles(body: str) -> dict[str, str]:
    """Return {tile title: its big figure} as the reader sees them."""
    found = re.findall(r'<h2>([^<]+)</h2><p class="big">([^<]+)</p>', body)
    return {html.unescape(title): html.unescape(value) for title, value in found}


def site_row(body: str, name: str) -> list[str]:
    """Return the cells of a site's row in the situation table, as text."""
    table = body.split('<table class="situation">', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        if f">{name}<" in row:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
            return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
    raise AssertionError(f"no row for {name}")


def test_the_officers_home_shows_their_work_and_their_sites(world, officer, site):
    body = signed_in(officer).get(reverse("monitoring:home")).content.decode()

    counts = dict(re.findall(r'<h2 id="(\w+)-title">[^<]+<span class="count">(\d+)</span>', body))
    assert counts == {"alerts": "1", "actions": "1"}
    assert "1 referral you sent is unanswered past its deadline." in body
    assert world["ours"]["referral"].code in body
    assert world["ours"]["cases"][1].case_number in body  # the overdue action's case
    assert site_row(body, "Kakuma One") == [
        "2", "4", "1 / 2", "3", "1.0", "1", "1",
    ]  # fmt: skip
    # Another agency's site and records never show.
    assert "Elsewhere" not in body
    assert world["theirs"]["referral"].code not in body


def test_a_site_situation_shows_its_figures_and_charts(world, officer, site):
    body = signed_in(officer).get(reverse("monitoring:site", args=[site.pk])).content.decode()

    assert tiles(body) == {
        "People": str(WORLD["population"]),
        "Open cases": str(WORLD["open_cases"]),
        "Incidents, last 7 days": str(WORLD["incidents_7d"]),
        "Alerts waiting": str(WORLD["alerts_waiting"]),
        "Referrals overdue": str(WORLD["referrals_overdue"]),
    }
    assert "Expected from the site's baseline: 1.0" in body
    # Open cases by risk, drawn as bars with their values.
    assert "Low: 0; Medium: 1; High: 2; Critical: 1" in body
    # Nine weeks of incidents: one a week before, three this week, with the baseline drawn.
    weeks = re.search(r'<desc id="weeks-desc">([^<]+)</desc>', body)
    assert weeks is not None
    assert [part.split(": ")[1] for part in weeks.group(1).split("; ")] == ["1"] * 8 + ["3"]
    assert 'class="reference"' in body
    assert body.count("<svg") == 2  # no population snapshots yet: the trend says so instead
    assert "Not enough daily population counts yet" in body


def test_an_analyst_sees_only_suppressed_figures(world, analyst, site):
    client = signed_in(analyst)
    body = client.get(reverse("monitoring:site", args=[site.pk])).content.decode()

    figures = tiles(body)
    assert figures["Open cases"] == "<5"
    assert figures["Incidents, last 7 days"] == "<5"
    assert figures["Alerts waiting"] == "<5"
    assert figures["Referrals overdue"] == "<5"
    assert "Low: 0; Medium: &lt;5; High: &lt;5; Critical: &lt;5" in body
    assert "Aggregated figures: counts under 5" in body
    # No link to a record, no name of a person.
    assert "/registry/cases/" not in body and "Member0" not in body

    mission = client.get(reverse("monitoring:mission")).content.decode()
    assert site_row(mission, "Kakuma One")[1:4] == ["<5", "<5 / <5", "<5"]


def test_a_supervisor_sees_every_site_of_the_agency_on_the_mission_page(
    world, supervisor, agency, site
):
    factories.SiteFactory(managing_agency=agency, code="KAK-02", name="Kakuma Two")
    body = signed_in(supervisor).get(reverse("monitoring:mission")).content.decode()

    assert site_row(body, "Kakuma One")[:4] == ["2", "4", "1 / 2", "3"]
    # No incident ever: the expected count is the early warning's floor.
    floor = f"{settings.EARLY_WARNING_BASELINE_FLOOR_PER_WEEK:.1f}"
    assert site_row(body, "Kakuma Two") == ["0", "0", "0 / 0", "0", floor, "0", "0"]
    total = body.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    assert re.findall(r'<td class="num">([^<]*)</td>', total)[:3] == ["2", "4", "1 / 2"]
    assert "Elsewhere" not in body
    assert "Kakuma Two" in body and "KAK-02" in body


def test_another_agencys_site_is_not_found(world, officer, analyst, other_site):
    for user in (officer, analyst):
        response = signed_in(user).get(reverse("monitoring:site", args=[other_site.pk]))
        assert response.status_code == 404


def test_the_mission_page_is_for_supervisors_and_analysts(world, officer):
    assert signed_in(officer).get(reverse("monitoring:mission")).status_code == 403


@pytest.mark.parametrize("name", ["home", "site", "mission"])
def test_the_number_of_queries_does_not_grow_with_the_sites(
    name, world, supervisor, agency, site, django_assert_max_num_queries
):
    client = signed_in(supervisor)
    url = reverse(f"monitoring:{name}", args=[site.pk] if name == "site" else [])
    client.get(url)  # warm the session and the per-process caches
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200
    for index in range(12):
        factories.SiteFactory(managing_agency=agency, code=f"MORE-{index}")
    with django_assert_max_num_queries(24):
        assert client.get(url).status_code == 200


def _transferred(body: bytes) -> int:
    """Return what a browser downloads: the gzipped page, the stylesheet and the scripts it
    links (the field mode's, on every page; the charts need none)."""
    linked = ["css/app.css"] + [
        src.removeprefix(settings.STATIC_URL)
        for src in re.findall(r'<script src="([^"]+)"', body.decode())
    ]
    total = len(gzip.compress(body))
    for name in linked:
        found = finders.find(name)
        assert isinstance(found, str), name
        with open(found, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    return total


def test_each_page_stays_under_150_kb_with_fifty_sites(world, supervisor, agency, site):
    for index in range(50):
        factories.SiteFactory(managing_agency=agency, code=f"MANY-{index:02d}")
    client = signed_in(supervisor)
    for url in [
        reverse("monitoring:home"),
        reverse("monitoring:site", args=[site.pk]),
        reverse("monitoring:mission"),
        reverse("monitoring:report"),
    ]:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, url
        assert response["Content-Encoding"] == "gzip"
        page = gzip.decompress(response.content)
        # No inline script or style (the Content-Security-Policy allows none).
        text = page.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)", text) and 'style="' not in text, url
        assert _transferred(page) < PAGE_BUDGET_BYTES, url


def test_a_static_chart_needs_no_script_or_external_resource(world, officer, site):
    body = signed_in(officer).get(reverse("monitoring:site", args=[site.pk])).content.decode()
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert not attribute.startswith(("http://", "https://", "//")), attribute
    assert settings.STATIC_URL + "css/app.css" in body


def test_the_population_trend_is_drawn_from_the_daily_counts(world, officer, site):
    today = timezone.localdate()
    for days_ago in (2, 1, 0):
        population_snapshot_take(site=site, day=today - datetime.timedelta(days=days_ago))

    body = signed_in(officer).get(reverse("monitoring:site", args=[site.pk])).content.decode()

    description = re.search(r'<desc id="population-desc">([^<]+)</desc>', body)
    assert description is not None
    first, last = today - datetime.timedelta(days=2), today
    assert description.group(1) == f"{first.isoformat()}: 2; {last.isoformat()}: 2"
    assert '<polyline class="line"' in body

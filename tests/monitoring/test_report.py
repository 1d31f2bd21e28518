"""The protection monitoring report: verified incidents by type and site, suppressed whoever
asks; a printable page and a PDF, in the user's language, right to left in Arabic."""

import re
import zlib

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from incidents.reporting.services import incident_update
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified(world, officer, site):
    """Verify six of the site's lootings and its abduction."""
    lootings = Incident.objects.filter(site=site, incident_type__code="looting").order_by("pk")
    for incident in [*lootings[:6], world["ours"]["incident"]]:
        incident_update(actor=officer, incident=incident, verification="verified")
    return world


def test_the_report_counts_verified_incidents_by_type_and_site_suppressed(
    verified, supervisor, site
):
    body = signed_in(supervisor).get(reverse("monitoring:report")).content.decode()

    table = body.split('id="report-types"', 1)[1].split("</table>", 1)[0]
    rows = {
        re.sub(r"<[^>]+>", "", name): re.findall(r'<td class="num">([^<]*)</td>', cells)
        for name, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    }
    # One abduction: under 5, hidden, whoever reads the report. Six lootings: shown alone,
    # they would give the abduction away (7 - 6), so they are hidden with it.
    assert rows["Abduction"] == ["&lt;5", "&lt;5"]
    assert rows["Looting or destruction of property"] == ["&lt;5", "&lt;5"]
    assert rows["All types"] == ["7"]  # the site's total; the grand total is in bold
    assert "<strong>7</strong>" in table
    assert "Elsewhere" not in body
    # No personal data: no name, no case number, no incident reference.
    assert "Member0" not in body
    assert verified["ours"]["incident"].reference not in body


def test_the_report_refuses_a_period_that_ends_before_it_starts(supervisor):
    today = timezone.localdate()
    response = signed_in(supervisor).get(
        reverse("monitoring:report"), {"first": today.isoformat(), "last": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "The end of the period comes before its start." in response.content.decode()
    assert 'id="report-types"' not in response.content.decode()


def test_the_report_is_a_pdf_in_arabic_right_to_left(verified, supervisor):
    client = signed_in(supervisor)
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("monitoring:report")).content.decode()
    assert '<html lang="ar" dir="rtl">' in page

    response = client.get(reverse("monitoring:report_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment;" in response["Content-Disposition"]
    # Arabic text needs a font with its glyphs: DejaVu Sans is embedded.
    assert re.search(rb"/BaseFont /[A-Z]{6}\+DejaVu-?Sans", _inflated(response.content))


def _inflated(pdf: bytes) -> bytes:
    """Return the PDF with its compressed streams inflated, so that font names show."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(parts)

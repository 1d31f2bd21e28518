"""The community reporting line's API: an agency's SMS or hotline gateway files reports."""

import pytest
from django.utils import timezone

from incidents.models import CommunityReport
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_gateway_files_a_report_once_and_only_for_its_sites(client_for, agency, site, other_site):
    gateway = factories.UserFactory(agency=agency, role="partner_api", username="sms-gateway")
    api = client_for(gateway)
    payload = {
        "site": site.pk,
        "kind": "violence",
        "description": "Threats at the distribution point.",
        "occurred_on": timezone.localdate().isoformat(),
        "channel": "sms",
        "language": "fr",
    }
    first = api.post(
        "/api/v1/community-reports/", payload, format="json", HTTP_IDEMPOTENCY_KEY="sms-1"
    )
    again = api.post(
        "/api/v1/community-reports/", payload, format="json", HTTP_IDEMPOTENCY_KEY="sms-1"
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["reference"] == again.json()["reference"]
    assert CommunityReport.objects.count() == 1

    bad = api.post(
        "/api/v1/community-reports/",
        {**payload, "site": other_site.pk, "kind": "ufo", "occurred_on": "2999-01-01"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"site", "kind", "occurred_on"} <= set(bad.json())
    listed = api.get("/api/v1/community-reports/").json()["results"]
    assert "description" not in listed[0]
    assert api.get(f"/api/v1/community-reports/{listed[0]['id']}/").json()["channel"] == "sms"

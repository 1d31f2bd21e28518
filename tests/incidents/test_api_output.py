"""The incidents API builds its JSON directly (incidents.api.output): the same as the serializers.

The serializers remain the API's schema; the JSON a page answers must be exactly what they
would give, in both shapes, in every language.
"""

import decimal
from typing import Any

import pytest
from django.utils import translation

from incidents.api.output import incident_json
from incidents.api.serializers import incident_data
from incidents.reporting.selectors import incident_list, incident_views_for
from tests import factories
from tests.incidents.conftest import make_agency, make_user, report


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_both_shapes_match_the_serializers(
    officer: Any, site: Any, agency: Any, language: str
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    report(
        officer,
        site=site,
        victims=[person],
        latitude=decimal.Decimal("9.531"),
        longitude=decimal.Decimal("31.6"),
        admin2="Malakal",
        location_detail="Near the market",
        actions_taken="Referred to the health partner.",
    )
    report(officer, site=site, incident_type="gbv_rape", description="Identifying details.")
    report(
        officer,
        site=None,
        latitude=decimal.Decimal("9.5"),
        longitude=decimal.Decimal("31.65"),
        admin1="Upper Nile",
    )
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)
    partner_api = make_user(agency=partner, role="partner_api")

    shapes = set()
    with translation.override(language):
        for user in (officer, partner_api):
            incidents = list(incident_list(user=user))
            views = incident_views_for(user=user, incidents=incidents)
            for view in views:
                assert incident_json(view) == incident_data(view, {}), view.reference
                assert list(incident_json(view)) == list(incident_data(view, {}))
                shapes.add(view.full)
    assert shapes == {True, False}

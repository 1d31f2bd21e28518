"""Every role against every dashboard page (the route-coverage test reads ROWS), then another
agency's user: a site that is not theirs is not found."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.pages.conftest import signed_in
from tests.pages.test_permissions_routes import COLUMNS, Row

pytestmark = pytest.mark.django_db

# admin, supervisor, protection_officer, case_worker, partner_api, analyst, anonymous
CASEWORK_PAGE = (403, 200, 200, 200, 403, 403, 302)
FIGURES_PAGE = (200, 200, 200, 200, 200, 200, 302)
MISSION_PAGE = (403, 200, 403, 403, 403, 200, 302)

ROWS: list[Row] = [
    Row("monitoring:home", "GET", (), CASEWORK_PAGE),
    Row("monitoring:site", "GET", ("site",), FIGURES_PAGE),
    Row("monitoring:mission", "GET", (), MISSION_PAGE),
    Row("monitoring:report", "GET", (), MISSION_PAGE),
    Row("monitoring:report_pdf", "GET", (), MISSION_PAGE),
]


@pytest.mark.parametrize("column", COLUMNS)
def test_each_role_gets_what_its_actions_allow(column, agency, site):
    user = None if column == "anonymous" else factories.UserFactory(agency=agency, role=column)
    client = signed_in(user) if user is not None else Client()
    index = COLUMNS.index(column)

    actual = {
        row.name: client.get(reverse(row.name, args=[site.pk] if row.ids else [])).status_code
        for row in ROWS
    }

    assert actual == {row.name: row.statuses[index] for row in ROWS}


@pytest.mark.parametrize("role", ["supervisor", "protection_officer", "analyst", "partner_api"])
def test_another_agencys_site_is_not_found(role, other_agency, site):
    client = signed_in(factories.UserFactory(agency=other_agency, role=role))
    assert client.get(reverse("monitoring:site", args=[site.pk])).status_code == 404

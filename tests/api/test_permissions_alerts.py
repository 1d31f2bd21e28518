"""The permission matrix of incidents, alerts, the inbox, webhooks and token login.

Same shape as tests/api/test_permissions.py (one column per role, then a superuser without an
agency and an anonymous caller), which the route-coverage test reads too. Alerts and
notifications are the column user's own. Then the other-agency rows: a user of another agency,
whose role allows the action, asks for this agency's record and gets 404.
"""

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone

from protection.accounts.models import Role
from protection.accounts.second_factor import second_factor_required
from tests import factories
from tests.api.conftest import SchemaCheckedClient
from tests.api.test_permissions import COLUMNS
from tests.factories import PASSWORD
from tests.incidents.zone_world import ROUTE, SQUARE
from tests.matrix_world import WEBHOOK_URL, alerting_world
from tests.second_factor import enrol

pytestmark = pytest.mark.django_db

# admin, supervisor, protection_officer, case_worker, partner_api, analyst, superuser, anonymous
VIEW_INCIDENTS = (200, 200, 200, 200, 200, 403, 403, 401)
REPORT_INCIDENTS = (201, 201, 201, 201, 201, 403, 403, 401)
MANAGE_INCIDENTS = (200, 200, 200, 403, 403, 403, 403, 401)
RECEIVE_ALERTS = (200, 200, 200, 200, 200, 200, 403, 401)
WEBHOOKS = (200, 403, 403, 403, 200, 403, 403, 401)
VIEW_SITES = (200, 200, 200, 200, 200, 200, 403, 401)
MANAGE_SAFE_PASSAGE = (200, 200, 403, 403, 403, 403, 403, 401)

# Token login answers for the column's credentials (the anonymous column has none: 400);
# the two logouts revoke the token the row uses, so they come last.
MATRIX: list[tuple[str, str, tuple[int, ...]]] = [
    ("POST", "auth/token/", (200, 200, 200, 200, 200, 200, 200, 400)),
    ("GET", "incidents/", VIEW_INCIDENTS),
    ("GET", "incidents/{incident}/", VIEW_INCIDENTS),
    ("POST", "incidents/", REPORT_INCIDENTS),
    ("PATCH", "incidents/{incident}/", MANAGE_INCIDENTS),
    # Reports of one event: suggested, linked, the primary chosen, unlinked (in this order).
    ("GET", "incidents/{incident}/same-event-suggestions/", VIEW_INCIDENTS),
    ("POST", "incidents/{incident}/link/", MANAGE_INCIDENTS),
    ("GET", "incidents/{incident}/same-event/", VIEW_INCIDENTS),
    ("POST", "incidents/{same_attack}/primary/", MANAGE_INCIDENTS),
    ("POST", "incidents/{incident}/unlink/", MANAGE_INCIDENTS),
    ("GET", "community-reports/", VIEW_INCIDENTS),
    ("GET", "community-reports/{community_report}/", VIEW_INCIDENTS),
    ("POST", "community-reports/", REPORT_INCIDENTS),
    ("GET", "drills/", MANAGE_INCIDENTS),
    ("GET", "drills/{drill}/", MANAGE_INCIDENTS),
    ("GET", "drills/{drill}/report/", MANAGE_INCIDENTS),
    ("POST", "drills/", (201, 201, 201, 403, 403, 403, 403, 401)),
    ("POST", "drills/{drill}/end/", MANAGE_INCIDENTS),
    ("GET", "safe-zones/", VIEW_SITES),
    ("GET", "safe-zones/{safe_zone}/", VIEW_SITES),
    ("POST", "safe-zones/", (201, 201, 403, 403, 403, 403, 403, 401)),
    ("GET", "corridors/", VIEW_SITES),
    ("GET", "corridors/{corridor}/", VIEW_SITES),
    ("POST", "corridors/", (201, 201, 403, 403, 403, 403, 403, 401)),
    ("POST", "corridors/{corridor}/status/", MANAGE_SAFE_PASSAGE),
    ("GET", "alerts/", RECEIVE_ALERTS),
    ("GET", "alerts/{alert}/", RECEIVE_ALERTS),
    ("POST", "alerts/{alert}/acknowledge/", RECEIVE_ALERTS),
    ("GET", "notifications/", RECEIVE_ALERTS),
    ("POST", "notifications/{notification}/read/", RECEIVE_ALERTS),
    ("GET", "webhook-subscriptions/", WEBHOOKS),
    ("GET", "webhook-subscriptions/{subscription}/", WEBHOOKS),
    ("POST", "webhook-subscriptions/", (201, 403, 403, 403, 201, 403, 403, 401)),
    ("PATCH", "webhook-subscriptions/{subscription}/", WEBHOOKS),
    ("POST", "webhook-subscriptions/{subscription}/rotate-secret/", WEBHOOKS),
    ("DELETE", "webhook-subscriptions/{subscription}/", (204, 403, 403, 403, 204, 403, 403, 401)),
    ("POST", "auth/logout/", (204, 204, 204, 204, 204, 204, 204, 401)),
]

# The rows with a record of the agency in their path, and the role of another agency's user
# who may do the action in general: each answers 404, since the record is not theirs to see.
OTHER_AGENCY: list[tuple[str, str, str]] = [
    ("GET", "incidents/{incident}/", "protection_officer"),
    ("PATCH", "incidents/{incident}/", "protection_officer"),
    ("GET", "incidents/{incident}/same-event-suggestions/", "protection_officer"),
    ("POST", "incidents/{incident}/link/", "protection_officer"),
    ("GET", "incidents/{incident}/same-event/", "protection_officer"),
    ("POST", "incidents/{same_attack}/primary/", "protection_officer"),
    ("POST", "incidents/{incident}/unlink/", "protection_officer"),
    ("GET", "community-reports/{community_report}/", "protection_officer"),
    ("GET", "drills/{drill}/", "supervisor"),
    ("GET", "drills/{drill}/report/", "supervisor"),
    ("POST", "drills/{drill}/end/", "supervisor"),
    ("GET", "safe-zones/{safe_zone}/", "analyst"),
    ("GET", "corridors/{corridor}/", "partner_api"),
    ("POST", "corridors/{corridor}/status/", "supervisor"),
    ("GET", "alerts/{alert}/", "protection_officer"),
    ("POST", "alerts/{alert}/acknowledge/", "protection_officer"),
    ("POST", "notifications/{notification}/read/", "protection_officer"),
    ("GET", "webhook-subscriptions/{subscription}/", "partner_api"),
    ("PATCH", "webhook-subscriptions/{subscription}/", "partner_api"),
    ("POST", "webhook-subscriptions/{subscription}/rotate-secret/", "partner_api"),
    ("DELETE", "webhook-subscriptions/{subscription}/", "partner_api"),
]


def _token_body(user: Any) -> dict[str, str]:
    """The token login's body; an account that must use a second factor sends its code."""
    if user is None:
        return {}
    body = {"username": user.username, "password": PASSWORD}
    if second_factor_required(user):
        _device, codes = enrol(user)
        body["otp_token"] = codes[0]
    return body


def _bodies(site: Any, user: Any, ids: dict[str, int] | None = None) -> dict[tuple[str, str], Any]:
    occurred = timezone.now() - datetime.timedelta(hours=2)
    return {
        ("POST", "incidents/{incident}/link/"): {"other": (ids or {}).get("same_attack")},
        ("POST", "auth/token/"): _token_body(user),
        ("POST", "incidents/"): {
            "type": "abduction",
            "severity": 4,
            "occurred_at": occurred.isoformat(),
            "site": site.pk,
            "male_adults": 2,
            "perpetrator_category": "non_state_armed_group",
            "source": "witness",
            "description": "Two men taken at the market.",
        },
        ("PATCH", "incidents/{incident}/"): {"status": "closed"},
        ("POST", "community-reports/"): {
            "site": site.pk,
            "kind": "theft",
            "description": "Shelters looted last night.",
            "occurred_on": timezone.localdate().isoformat(),
            "channel": "hotline",
        },
        ("POST", "drills/"): {
            "site": site.pk,
            "scenario": "Night attack at the market",
            "incident_type": "abduction",
            "severity": 3,
        },
        ("POST", "safe-zones/"): {"site": site.pk, "name": "Clinic", "boundary": SQUARE},
        ("POST", "corridors/"): {
            "name": "North road",
            "site": site.pk,
            "destination_name": "Market town",
            "route": ROUTE,
            "reason": "Agreed at the coordination meeting.",
        },
        ("POST", "corridors/{corridor}/status/"): {
            "status": "restricted",
            "reason": "Checkpoint on the road.",
        },
        ("POST", "webhook-subscriptions/"): {
            "url": WEBHOOK_URL + "/second",
            "events": ["alert.raised"],
        },
        ("PATCH", "webhook-subscriptions/{subscription}/"): {"description": "Duty desk."},
    }


def _call(client: SchemaCheckedClient, method: str, endpoint: str, ids: dict[str, int], body: Any):
    path = "/api/v1/" + endpoint.format(**ids)
    data = "" if body is None else json.dumps(body)
    return client.generic(method, path, data=data, content_type="application/json")


def _user(column: str, agency: Any) -> Any:
    if column == "anonymous":
        return None
    if column == "superuser_without_agency":
        return factories.UserFactory(agency=None, is_superuser=True, is_staff=True, role="admin")
    return factories.UserFactory(agency=agency, role=column)


@pytest.mark.parametrize("column", COLUMNS)
def test_permission_matrix(column, agency, site, officer) -> None:
    user = _user(column, agency)
    # A user without an agency receives nothing: the officer is the alert's recipient then.
    recipient = user if user is not None and user.agency_id else officer
    ids = alerting_world(agency=agency, site=site, officer=officer, recipient=recipient)
    client = SchemaCheckedClient()
    if user is not None:
        client.login_with_token(user)
    bodies = _bodies(site, user, ids)
    index = COLUMNS.index(column)

    actual = {
        f"{method} {endpoint}": _call(
            client, method, endpoint, ids, bodies.get((method, endpoint))
        ).status_code
        for method, endpoint, _statuses in MATRIX
    }

    assert actual == {f"{method} {endpoint}": row[index] for method, endpoint, row in MATRIX}


def test_another_agencys_records_are_not_found(agency, other_agency, site, officer) -> None:
    ids = alerting_world(agency=agency, site=site, officer=officer, recipient=officer)
    bodies = _bodies(site, None, ids)
    actual, expected = {}, {}
    for method, endpoint, role in OTHER_AGENCY:
        assert role in Role.values
        client = SchemaCheckedClient()
        client.login_with_token(factories.UserFactory(agency=other_agency, role=role))
        response = _call(client, method, endpoint, ids, bodies.get((method, endpoint)))
        actual[f"{method} {endpoint}"] = response.status_code
        expected[f"{method} {endpoint}"] = 404

    assert actual == expected


def test_every_row_with_a_record_has_an_other_agency_row() -> None:
    with_record = {(method, endpoint) for method, endpoint, _ in MATRIX if "{" in endpoint}
    assert {(method, endpoint) for method, endpoint, _ in OTHER_AGENCY} == with_record

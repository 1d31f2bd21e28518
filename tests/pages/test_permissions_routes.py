"""Every role against the pages the other page matrices do not hold: casework answers and
approvals, the service editor, incidents and alerts, the inbox, the home page and accounts.

One row per route (the route-coverage test reads these rows): the method, the record its path
names, what it posts, and the status for each role, then for an anonymous visitor. A page
answers 200, a write or a redirect 302, a role without the action 403. Then the rows with a
record in the path, for a user of another agency whose role allows the action: 404, since
the record is not theirs to see (the service directory is shared, so another agency's
service is visible but not theirs to edit: 403).
"""

import io
import os
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from django.test import Client
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from PIL import Image

from cases.models import DisplacedPerson
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from tests import factories
from tests.api.test_permissions import casework_world
from tests.imports.files import uploaded_import
from tests.matrix_world import alerting_world, ready_export
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

ROLES = ["admin", "supervisor", "protection_officer", "case_worker", "partner_api", "analyst"]
COLUMNS = [*ROLES, "anonymous"]


class Row(NamedTuple):
    """One route: how to call it and the status each column gets."""

    name: str
    method: str
    ids: tuple[str, ...]
    statuses: tuple[int, ...]
    body: Callable[[dict[str, Any]], dict[str, str]] | None = None


# admin, supervisor, protection_officer, case_worker, partner_api, analyst, anonymous
CASEWORK_PAGE = (403, 200, 200, 200, 403, 403, 302)
CASEWORK_WRITE = (403, 302, 302, 302, 403, 403, 302)
INBOX_PAGE = (403, 200, 200, 200, 200, 403, 302)
INBOX_WRITE = (403, 302, 302, 302, 302, 403, 302)
NOT_SHARED = (403, 404, 404, 404, 404, 403, 302)
SUPERVISE_WRITE = (403, 302, 403, 403, 403, 403, 302)
INCIDENTS_PAGE = (200, 200, 200, 200, 200, 403, 302)
EVERY_ROLE_PAGE = (200, 200, 200, 200, 200, 200, 302)
EVERY_ROLE_REDIRECT = (302, 302, 302, 302, 302, 302, 302)
IMPORT_PAGE = (200, 200, 200, 200, 200, 403, 302)
IMPORT_WRITE = (302, 302, 302, 302, 302, 403, 302)
# Deciding on rows held as duplicates: registering people, which a partner's system may not.
REVIEW_PAGE = (200, 200, 200, 200, 403, 403, 302)
REVIEW_WRITE = (302, 302, 302, 302, 403, 403, 302)


def _reason(_ids: dict[str, Any]) -> dict[str, str]:
    return {"reason": "The family moved to Juba."}


ROWS: list[Row] = [
    Row("home", "GET", (), EVERY_ROLE_REDIRECT),
    # A signed-in user is sent on from the sign-in page; a visitor sees it.
    Row("login", "GET", (), (302, 302, 302, 302, 302, 302, 200)),
    Row("password_change", "GET", (), EVERY_ROLE_PAGE),
    Row("password_change_done", "GET", (), EVERY_ROLE_PAGE),
    # Field mode: the service worker and the manifest are the same for anyone; the key of the
    # offline queue is each signed-in user's own (protection/fieldmode.py).
    Row("field_service_worker", "GET", (), (200,) * 7),
    Row("field_manifest", "GET", (), (200,) * 7),
    Row("field_key", "GET", (), EVERY_ROLE_PAGE),
    # The batched sync checks each record against its page's own rules (tests/pages/
    # test_field_sync.py); a batch that names no owner and holds no record is refused whole.
    Row("field_sync", "POST", (), (400,) * 6 + (401,)),
    Row(
        "cases:case_transition",
        "POST",
        ("registered_case",),
        CASEWORK_WRITE,
        lambda _ids: {"status": "assessment"},
    ),
    Row("cases:case_reopen", "GET", ("closed_case",), CASEWORK_PAGE),
    Row("cases:case_action_add", "GET", ("case",), CASEWORK_PAGE),
    Row("cases:case_action_update", "GET", ("case", "action"), CASEWORK_PAGE),
    Row("cases:referral_sent_detail", "GET", ("referral",), CASEWORK_PAGE),
    Row("cases:referral_cancel", "POST", ("referral_to_cancel",), CASEWORK_WRITE, _reason),
    Row("cases:referral_received_detail", "GET", ("referral",), INBOX_PAGE),
    Row("cases:referral_accept", "POST", ("referral_to_accept",), INBOX_WRITE),
    Row("cases:referral_decline", "POST", ("referral_to_decline",), INBOX_WRITE, _reason),
    Row(
        "cases:referral_complete",
        "POST",
        ("referral_to_complete",),
        INBOX_WRITE,
        lambda _ids: {"outcome": "Seen by the counsellor twice."},
    ),
    Row("cases:approval_approve", "POST", ("approval",), SUPERVISE_WRITE),
    Row(
        "cases:approval_reject",
        "POST",
        ("other_approval",),
        SUPERVISE_WRITE,
        lambda ids: {f"a{ids['other_approval']}-reason": "Too early to close."},
    ),
    Row("partners:service_edit", "GET", ("service",), (200, 200, 403, 403, 403, 403, 302)),
    Row("incidents:list", "GET", (), INCIDENTS_PAGE),
    Row("incidents:report", "GET", (), INCIDENTS_PAGE),
    Row("incidents:map", "GET", (), INCIDENTS_PAGE),
    Row("incidents:map_data", "GET", (), INCIDENTS_PAGE),
    Row("incidents:detail", "GET", ("incident",), INCIDENTS_PAGE),
    Row("incidents:community_list", "GET", (), INCIDENTS_PAGE),
    Row("incidents:community_detail", "GET", ("community_report",), INCIDENTS_PAGE),
    Row("incidents:drill_list", "GET", (), (200, 200, 200, 403, 403, 403, 302)),
    Row("incidents:drill_detail", "GET", ("drill",), (200, 200, 200, 403, 403, 403, 302)),
    Row("incidents:drill_end", "POST", ("drill",), (302, 302, 302, 403, 403, 403, 302)),
    Row("incidents:safe_zone_list", "GET", (), EVERY_ROLE_PAGE),
    Row("incidents:safe_zone_detail", "GET", ("safe_zone",), EVERY_ROLE_PAGE),
    Row("incidents:corridor_list", "GET", (), EVERY_ROLE_PAGE),
    Row("incidents:corridor_detail", "GET", ("corridor",), EVERY_ROLE_PAGE),
    # The public reporting line: no sign-in, the same page for everyone.
    Row("community:report", "GET", (), (200,) * 7),
    Row("community:status", "GET", (), (200,) * 7),
    Row(
        "incidents:update",
        "POST",
        ("incident",),
        (302, 302, 302, 403, 403, 403, 302),
        lambda _ids: {"status": "closed", "verification": "verified"},
    ),
    # Reports of one event: the page, then link, primary and unlink, in this order.
    Row("incidents:event", "GET", ("incident",), INCIDENTS_PAGE),
    Row(
        "incidents:link",
        "POST",
        ("incident",),
        (302, 302, 302, 403, 403, 403, 302),
        lambda ids: {"other": str(ids["same_attack"])},
    ),
    Row("incidents:primary", "POST", ("same_attack",), (302, 302, 302, 403, 403, 403, 302)),
    Row("incidents:unlink", "POST", ("incident",), (302, 302, 302, 403, 403, 403, 302)),
    Row("incidents:alert_list", "GET", (), EVERY_ROLE_PAGE),
    Row("incidents:alert_detail", "GET", ("alert",), EVERY_ROLE_PAGE),
    Row("incidents:alert_acknowledge", "POST", ("alert",), EVERY_ROLE_REDIRECT),
    Row("cases:import_list", "GET", (), IMPORT_PAGE),
    Row("cases:import_template_xlsx", "GET", (), IMPORT_PAGE),
    Row("cases:import_template_csv", "GET", (), IMPORT_PAGE),
    Row("cases:import_detail", "GET", ("registry_import",), IMPORT_PAGE),
    Row("cases:import_status", "GET", ("registry_import",), IMPORT_PAGE),
    Row("cases:import_report", "GET", ("registry_import",), IMPORT_PAGE),
    Row("cases:import_dry_run", "POST", ("registry_import",), IMPORT_WRITE),
    Row("cases:import_commit", "POST", ("registry_import",), IMPORT_WRITE),
    Row("cases:import_review", "GET", ("registry_import",), REVIEW_PAGE),
    Row("cases:import_row_release", "POST", ("registry_import", "import_row"), REVIEW_WRITE),
    Row(
        "cases:import_row_discard",
        "POST",
        ("registry_import", "import_row"),
        REVIEW_WRITE,
        _reason,
    ),
    # Removing a person's identifier: whoever may edit people (a POST, then back to the person).
    Row(
        "cases:person_identifier_remove",
        "POST",
        ("person", "identifier"),
        (302, 302, 302, 302, 403, 403, 302),
    ),
    # The person's photo (the image bytes): whoever may see people; then the photo shared with
    # a referral, which this referral did not share: not found for whoever reads the inbox.
    Row("cases:person_photo_image", "GET", ("person",), (200, 200, 200, 200, 200, 403, 302)),
    Row("cases:referral_received_photo", "GET", ("referral",), NOT_SHARED),
    Row("notifications:inbox", "GET", (), EVERY_ROLE_PAGE),
    Row("camps:who_what_where", "GET", (), EVERY_ROLE_PAGE),
    # Exports: the choice of lists for every role (figures for all); one's own exports only.
    Row("exports:new", "GET", (), EVERY_ROLE_PAGE),
    Row("exports:list", "GET", (), EVERY_ROLE_PAGE),
    Row("exports:detail", "GET", ("data_export",), EVERY_ROLE_PAGE),
    Row("exports:download", "GET", ("data_export",), EVERY_ROLE_PAGE),
    Row("notifications:open", "GET", ("notification",), EVERY_ROLE_REDIRECT),
    # Last: it signs the user out.
    # Two-step verification: each user's own; a verified (or free) session is sent on from
    # the code page, and the writes answer with a redirect and a message.
    Row("second_factor_account", "GET", (), EVERY_ROLE_PAGE),
    Row("second_factor_verify", "GET", (), EVERY_ROLE_REDIRECT),
    Row("second_factor_setup", "GET", (), EVERY_ROLE_PAGE),
    # Each user of this world has a passkey (_world), so new recovery codes are shown.
    Row("second_factor_recovery_codes", "POST", (), EVERY_ROLE_PAGE),
    # Passkeys: the JSON ceremonies of django-otp-webauthn's script (a completion with no
    # challenge begun is refused; an anonymous visitor gets 403 in JSON), and removal of one's own.
    Row("passkey_registration_complete", "POST", (), (400, 400, 400, 400, 400, 400, 403)),
    Row("passkey_authentication_complete", "POST", (), (400, 400, 400, 400, 400, 400, 403)),
    Row("passkey_registration_begin", "POST", (), (200, 200, 200, 200, 200, 200, 403)),
    Row("passkey_authentication_begin", "POST", (), (200, 200, 200, 200, 200, 200, 403)),
    Row("passkey_jsi18n", "GET", (), (200, 200, 200, 200, 200, 200, 200)),
    Row("passkey_remove", "POST", ("passkey",), EVERY_ROLE_REDIRECT),
    Row("second_factor_remove", "POST", (), EVERY_ROLE_REDIRECT),
    Row("logout", "POST", (), EVERY_ROLE_REDIRECT),
]

# Route name -> (the role of another agency's user who tries it, the status that user gets).
OTHER_AGENCY: dict[str, tuple[str, int]] = {
    "cases:case_transition": ("supervisor", 404),
    "cases:case_reopen": ("supervisor", 404),
    "cases:case_action_add": ("supervisor", 404),
    "cases:case_action_update": ("supervisor", 404),
    "cases:referral_sent_detail": ("supervisor", 404),
    "cases:referral_cancel": ("supervisor", 404),
    "cases:referral_received_detail": ("supervisor", 404),
    "cases:referral_accept": ("supervisor", 404),
    "cases:referral_decline": ("supervisor", 404),
    "cases:referral_complete": ("supervisor", 404),
    "cases:approval_approve": ("supervisor", 404),
    "cases:approval_reject": ("supervisor", 404),
    "partners:service_edit": ("supervisor", 403),
    "cases:person_identifier_remove": ("protection_officer", 404),
    "cases:person_photo_image": ("protection_officer", 404),
    "cases:referral_received_photo": ("supervisor", 404),
    "incidents:detail": ("protection_officer", 404),
    "incidents:update": ("protection_officer", 404),
    "incidents:event": ("protection_officer", 404),
    "incidents:link": ("protection_officer", 404),
    "incidents:primary": ("protection_officer", 404),
    "incidents:unlink": ("protection_officer", 404),
    "incidents:alert_detail": ("protection_officer", 404),
    "incidents:community_detail": ("protection_officer", 404),
    "incidents:drill_detail": ("supervisor", 404),
    "incidents:drill_end": ("supervisor", 404),
    "incidents:safe_zone_detail": ("analyst", 404),
    "incidents:corridor_detail": ("supervisor", 404),
    "incidents:alert_acknowledge": ("protection_officer", 404),
    "notifications:open": ("protection_officer", 404),
    "cases:import_detail": ("protection_officer", 404),
    "cases:import_status": ("protection_officer", 404),
    "cases:import_report": ("protection_officer", 404),
    "cases:import_dry_run": ("protection_officer", 404),
    "cases:import_commit": ("protection_officer", 404),
    "cases:import_review": ("protection_officer", 404),
    "cases:import_row_release": ("protection_officer", 404),
    "cases:import_row_discard": ("protection_officer", 404),
    "exports:detail": ("supervisor", 404),
    "exports:download": ("supervisor", 404),
    "passkey_remove": ("supervisor", 404),
}


def _world(
    agency: Any, other_agency: Any, site: Any, officer: Any, recipient: Any
) -> dict[str, Any]:
    return {
        **casework_world(agency, other_agency, site, officer),
        **alerting_world(agency=agency, site=site, officer=officer, recipient=recipient),
        "registry_import": uploaded_import(officer=officer, site=site).pk,
        "import_row": 2,
        "data_export": ready_export(recipient),
        "passkey": _passkey(recipient),
        **_identifier(officer),
    }


def _identifier(officer: Any) -> dict[str, int]:
    """A person of the agency with a biometric reference, to remove."""
    person = DisplacedPerson.objects.filter(owning_agency=officer.agency).order_by("pk").first()
    assert person is not None
    data = IdentifierData(kind="biometric", scheme="BIMS", number="BIO-77-0002")
    identifier = person_identifier_add(actor=officer, person=person, data=data)
    image = io.BytesIO()
    Image.new("RGB", (40, 40), (90, 120, 160)).save(image, format="PNG")
    image.seek(0)
    person_photo_set(actor=officer, person=person, upload=image)
    return {"person": person.pk, "identifier": identifier.pk}


def _passkey(user: Any) -> int:
    """A passkey of the user's (its key is never checked by removal)."""
    return WebAuthnCredential.objects.create(
        user=user, name="passkey", credential_id=os.urandom(16), public_key=b"key", confirmed=True
    ).pk


def _call(client: Any, row: Row, ids: dict[str, Any]) -> Any:
    url = reverse(row.name, args=[ids[key] for key in row.ids])
    if row.method == "POST":
        return client.post(url, row.body(ids) if row.body else {})
    return client.get(url)


@pytest.mark.parametrize("column", COLUMNS)
def test_each_role_gets_what_its_actions_allow(column, agency, other_agency, site, officer):
    user = None if column == "anonymous" else factories.UserFactory(agency=agency, role=column)
    ids = _world(agency, other_agency, site, officer, recipient=user or officer)
    client = signed_in(user) if user is not None else Client()
    index = COLUMNS.index(column)

    actual = {row.name: _call(client, row, ids).status_code for row in ROWS}

    assert actual == {row.name: row.statuses[index] for row in ROWS}


def test_anonymous_visitors_are_sent_to_sign_in(agency, other_agency, site, officer):
    ids = _world(agency, other_agency, site, officer, recipient=officer)
    client = Client()
    for row in ROWS:
        if row.statuses[-1] == 302 and row.name != "logout":
            response = _call(client, row, ids)
            assert response["Location"].startswith(reverse("login")), row.name


def test_another_agencys_records_are_not_found(agency, other_agency, site, officer):
    ids = _world(agency, other_agency, site, officer, recipient=officer)
    by_name = {row.name: row for row in ROWS}
    actual, expected = {}, {}
    for name, (role, status) in OTHER_AGENCY.items():
        assert by_name[name].ids, name  # only routes that name a record
        client = signed_in(factories.UserFactory(agency=other_agency, role=role))
        actual[name] = _call(client, by_name[name], ids).status_code
        expected[name] = status

    assert actual == expected


def test_every_route_with_a_record_has_an_other_agency_row() -> None:
    assert sorted(OTHER_AGENCY) == sorted(row.name for row in ROWS if row.ids)

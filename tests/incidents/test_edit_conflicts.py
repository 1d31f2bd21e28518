"""Edits of an incident's response merged field by field against their base (protection.edits).

Two officers open the same incident; each save keeps what the other saved, and a field both
changed differently is shown to choose, never overwritten: in the service, the API and the page.
"""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.models import Incident
from incidents.reporting.services import incident_editable_values, incident_update
from protection.edits import EditConflict
from protection.models import AuditEvent
from tests.api.conftest import SchemaCheckedClient
from tests.incidents.conftest import make_agency, make_user, report

SECRET = "Moved the survivor to the safe house at night."


@pytest.fixture
def colleague(agency: Any) -> Any:
    return make_user(agency=agency, role="protection_officer", username="colleague")


def _api(user: Any) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.login_with_token(user)
    return client


def test_a_stale_save_keeps_what_a_colleague_saved_and_applies_its_own_change(
    officer: Any, colleague: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    base = incident_editable_values(incident)  # both open the form
    incident_update(actor=colleague, incident=incident, status="responding", base=base)

    # The officer's form still says "open" for the status; only the actions changed.
    incident_update(
        actor=officer,
        incident=Incident.objects.get(pk=incident.pk),
        status="open",
        verification="reported",
        actions_taken="Referred to the medical partner.",
        base=base,
    )

    saved = Incident.objects.get(pk=incident.pk)
    assert saved.status == "responding"
    assert saved.actions_taken == "Referred to the medical partner."


def test_the_same_field_changed_differently_is_refused_whole_and_audited_by_name(
    officer: Any, colleague: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    base = incident_editable_values(incident)
    incident_update(actor=colleague, incident=incident, actions_taken=SECRET, base=base)

    with pytest.raises(EditConflict) as raised:
        incident_update(
            actor=officer,
            incident=Incident.objects.get(pk=incident.pk),
            status="closed",
            actions_taken="Closed: nothing more to do.",
            base=base,
        )

    (conflict,) = raised.value.conflicts
    # The narrative is stored encrypted; it is compared (and shown) decrypted.
    assert (conflict.field, conflict.theirs, conflict.base) == ("actions_taken", SECRET, "")
    saved = Incident.objects.get(pk=incident.pk)
    assert (saved.status, saved.actions_taken) == ("open", SECRET)  # nothing of it written
    event = AuditEvent.objects.get(action="incident.edit_conflict")
    assert set(event.changes) == {"actions_taken"}
    assert SECRET not in str(event.changes) and "Closed" not in str(event.changes)
    assert event.actor == officer


def test_the_same_value_saved_twice_is_no_conflict(officer: Any, colleague: Any, site: Any) -> None:
    incident = report(officer, site=site).incident
    base = incident_editable_values(incident)
    incident_update(actor=colleague, incident=incident, actions_taken=SECRET, base=base)
    incident_update(actor=officer, incident=incident, actions_taken=f" {SECRET}\n", base=base)
    assert not AuditEvent.objects.filter(action="incident.edit_conflict").exists()


def test_a_base_must_name_every_field_changed(officer: Any, site: Any) -> None:
    incident = report(officer, site=site).incident
    with pytest.raises(ValidationError) as raised:
        incident_update(actor=officer, incident=incident, status="closed", base={})
    assert "base" in raised.value.message_dict
    assert Incident.objects.get(pk=incident.pk).status == "open"


def test_the_api_answers_409_with_each_conflict_and_writes_nothing(
    officer: Any, colleague: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    url = f"/api/v1/incidents/{incident.pk}/"
    base = {"status": "open", "verification": "reported"}
    first = _api(colleague).patch(
        url, {"status": "responding", "verification": "verified", "base": base}, format="json"
    )
    assert first.status_code == 200
    events = AuditEvent.objects.count()

    answer = _api(officer).patch(
        url, {"status": "closed", "verification": "verified", "base": base}, format="json"
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "conflicts": [
            {"field": "status", "yours": "closed", "theirs": "responding", "base": "open"}
        ]
    }
    saved = Incident.objects.get(pk=incident.pk)
    assert (saved.status, saved.verification) == ("responding", "verified")
    assert AuditEvent.objects.count() == events + 1  # the refusal only

    # Chosen, and sent again against the values saved now: applied.
    again = _api(officer).patch(
        url, {"status": "closed", "base": {"status": "responding"}}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["status"] == "closed"


def test_the_api_still_refuses_bad_input_and_hides_other_agencies(
    officer: Any, other_officer: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    url = f"/api/v1/incidents/{incident.pk}/"
    bad = _api(officer).patch(url, {"status": "gone", "base": {"status": "open"}}, format="json")
    no_base = _api(officer).patch(url, {"status": "closed", "base": {}}, format="json")
    hidden = _api(other_officer).patch(
        url, {"status": "closed", "base": {"status": "open"}}, format="json"
    )

    assert bad.status_code == 400 and "status" in bad.json()
    assert no_base.status_code == 400 and "base" in no_base.json()
    assert hidden.status_code == 404
    assert Incident.objects.get(pk=incident.pk).status == "open"


def _base_of(page: str) -> str:
    match = re.search(r'name="edit_base" value="([^"]+)"', page)
    assert match, "the form carries its base"
    return match.group(1)


def test_the_page_shows_the_conflict_and_the_officer_chooses(
    client: Any, officer: Any, colleague: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    detail = reverse("incidents:detail", args=[incident.pk])
    update = reverse("incidents:update", args=[incident.pk])
    client.force_login(officer)
    base = _base_of(client.get(detail).content.decode())
    incident_update(
        actor=colleague,
        incident=incident,
        actions_taken=SECRET,
        base=incident_editable_values(incident),
    )
    mine = {"status": "open", "verification": "verified", "actions_taken": "Family traced."}

    shown = client.post(update, {**mine, "edit_base": base})

    assert shown.status_code == 409
    page = shown.content.decode()
    assert 'data-field="actions_taken"' in page
    assert SECRET in page and "Family traced." in page  # theirs now, and yours kept
    assert Incident.objects.get(pk=incident.pk).verification == "reported"  # nothing saved

    new_base = _base_of(page)
    unchosen = client.post(update, {**mine, "edit_base": new_base})
    assert unchosen.status_code == 400
    assert "Choose which value to keep." in unchosen.content.decode()

    saved = client.post(update, {**mine, "edit_base": new_base, "resolve_actions_taken": "theirs"})
    assert saved.status_code == 302
    incident = Incident.objects.get(pk=incident.pk)
    assert (incident.verification, incident.actions_taken) == ("verified", SECRET)


def test_a_form_without_its_base_saves_nothing(client: Any, officer: Any, site: Any) -> None:
    incident = report(officer, site=site).incident
    client.force_login(officer)
    response = client.post(
        reverse("incidents:update", args=[incident.pk]),
        {"status": "closed", "verification": "verified", "edit_base": "forged"},
        follow=True,
    )
    assert "open the record again" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == "open"


def test_another_agencys_incident_is_still_not_found(client: Any, officer: Any, site: Any) -> None:
    incident = report(officer, site=site).incident
    stranger = make_user(agency=make_agency(acronym="STR"), role="supervisor")
    client.force_login(stranger)
    response = client.post(
        reverse("incidents:update", args=[incident.pk]),
        {"status": "closed", "verification": "verified", "edit_base": "x"},
    )
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="incident.edit_conflict").exists()

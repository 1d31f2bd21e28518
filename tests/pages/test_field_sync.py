"""Field mode's batched sync (protection/fieldsync.py): many queued records in one request,
each posted to its own page's form under its one-time token and answered on its own.

The browser side is in tests/browser/test_field_mode.py.
"""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import DisplacedPerson, Household
from cases.registry.services import person_editable_values, person_update
from incidents.models import Incident
from incidents.reporting.services import incident_editable_values, incident_update
from protection import fieldsync
from protection.models import AuditEvent
from tests import factories
from tests.incidents.conftest import report
from tests.incidents.test_pages import _form
from tests.pages.conftest import registration_post, signed_in
from tests.pages.test_person_edit_conflicts import _page_values

pytestmark = pytest.mark.django_db
SYNC = "/field/sync"


def _record(token: str, action: str, values: dict[str, Any]) -> dict[str, Any]:
    fields = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in ("", None):
                fields.append([name, str(item)])
    return {"id": token, "action": action, "fields": fields}


def _sync(client: Client, user: Any, records: list[dict[str, Any]], **extra: Any) -> Any:
    body = json.dumps({"records": records}, separators=(",", ":"))
    headers = {"X-Field-Sync": str(user.pk)}
    return client.post(SYNC, body, content_type="application/json", headers=headers, **extra)


def _household(site: Any, family: str) -> dict[str, Any]:
    member = {"given_name": "Nyakuoth", "family_name": family, "sex": "female"}
    return registration_post(site, [{**member, "date_of_birth": "1988-03-09"}])


def test_a_batch_is_saved_in_order_each_once_and_answered_per_record(
    officer: Any, site: Any
) -> None:
    client = signed_in(officer)
    records = [
        _record("rec-1", "/incidents/report/", {**_form(site), "description": "First."}),
        _record("rec-2", "/registry/households/register/", _household(site, "Gatluak")),
        _record("rec-3", "/incidents/report/", {**_form(site), "description": "Third."}),
    ]

    first = _sync(client, officer, records)
    again = _sync(client, officer, records)  # the answer was lost: the same batch, sent again

    incidents = list(Incident.objects.order_by("pk"))
    household = Household.objects.get()
    assert [i.description for i in incidents] == ["First.", "Third."]
    assert first.status_code == again.status_code == 200
    expected = [
        {"id": "rec-1", "status": "saved", "location": f"/incidents/{incidents[0].pk}/"},
        {"id": "rec-2", "status": "saved", "location": household.get_absolute_url()},
        {"id": "rec-3", "status": "saved", "location": f"/incidents/{incidents[1].pk}/"},
    ]
    assert first.json()["results"] == again.json()["results"] == expected


def test_a_batch_cut_half_way_keeps_what_was_saved_and_resumes_without_doubles(
    officer: Any, site: Any
) -> None:
    client = signed_in(officer)
    records = [
        _record(f"cut-{n}", "/incidents/report/", {**_form(site), "description": f"Note {n}."})
        for n in range(3)
    ]
    _sync(client, officer, records[:2])  # the server saved two, then the link was cut

    resumed = _sync(client, officer, records)

    assert [r["status"] for r in resumed.json()["results"]] == ["saved"] * 3
    descriptions = sorted(Incident.objects.values_list("description", flat=True))
    assert descriptions == ["Note 0.", "Note 1.", "Note 2."]


def test_refused_records_come_back_with_the_servers_words_and_the_rest_is_saved(
    officer: Any, site: Any, other_site: Any
) -> None:
    client = signed_in(officer)
    records = [
        _record("bad-1", "/incidents/report/", {**_form(site), "description": ""}),
        _record("bad-2", "/incidents/report/", {**_form(site), "site": other_site.pk}),
        _record("ok-3", "/incidents/report/", {**_form(site), "description": "Kept."}),
    ]

    results = _sync(client, officer, records).json()["results"]

    assert [r["status"] for r in results] == ["refused", "refused", "saved"]
    assert "Description: This field is required." in results[0]["message"]
    assert "Nothing was saved." in results[0]["message"]
    assert "Select a valid choice" in results[1]["message"]  # a site out of scope
    assert list(Incident.objects.values_list("description", flat=True)) == ["Kept."]


def test_possible_duplicates_at_registration_are_refused_with_the_warning(
    officer: Any, site: Any, household: Any
) -> None:
    client = signed_in(officer)
    head = household.members.get(relationship_to_head="head")
    same = {"given_name": head.given_name, "family_name": head.family_name, "sex": head.sex}
    body = registration_post(site, [{**same, "date_of_birth": head.date_of_birth or ""}])

    result = _sync(client, officer, [_record("dup", "/registry/households/register/", body)])

    answer = result.json()["results"][0]
    assert answer["status"] == "refused"
    assert "Check the possible matches" in answer["message"]
    assert Household.objects.count() == 1


def test_an_offline_edit_is_applied_once_and_a_conflicting_one_is_refused_unsaved(
    officer: Any, site: Any
) -> None:
    colleague = factories.UserFactory.create(agency=officer.agency, role="protection_officer")
    calm, busy = report(officer, site=site).incident, report(officer, site=site).incident
    client = signed_in(officer)
    forms = {}
    for incident in (calm, busy):  # both forms opened before the link dropped
        page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
        forms[incident.pk] = _page_values(page)["edit_base"]
    incident_update(
        actor=colleague,
        incident=busy,
        actions_taken="Referred to the clinic.",
        base=incident_editable_values(busy),
    )
    mine = {"status": "open", "verification": "verified", "actions_taken": "Family traced."}
    records = [
        _record("e1", f"/incidents/{calm.pk}/update/", {**mine, "edit_base": forms[calm.pk]}),
        _record("e2", f"/incidents/{busy.pk}/update/", {**mine, "edit_base": forms[busy.pk]}),
    ]

    first = _sync(client, officer, records).json()["results"]
    again = _sync(client, officer, records[:1]).json()["results"]

    assert [r["status"] for r in first] == ["saved", "conflict"]
    assert again[0]["status"] == "saved"
    calm.refresh_from_db()
    busy.refresh_from_db()
    assert (calm.verification, calm.actions_taken) == ("verified", "Family traced.")
    assert (busy.verification, busy.actions_taken) == ("reported", "Referred to the clinic.")
    assert AuditEvent.objects.filter(action="incident.edit_conflict").count() == 1


def test_a_person_edited_offline_and_meanwhile_online_is_a_conflict(
    officer: Any, household: Any
) -> None:
    person = household.members.get(relationship_to_head="head")
    url = reverse("cases:person_edit", args=[person.pk])
    client = signed_in(officer)
    opened = _page_values(client.get(url).content.decode())
    colleague = factories.UserFactory.create(agency=officer.agency, role="protection_officer")
    person_update(
        actor=colleague,
        person=person,
        changes={"phone": "+211 900 000 002"},
        base=person_editable_values(person),
    )

    result = _sync(client, officer, [_record("p1", url, {**opened, "phone": "+211 955 0"})])

    assert result.json()["results"][0]["status"] == "conflict"
    assert DisplacedPerson.objects.get(pk=person.pk).phone == "+211 900 000 002"


def test_a_record_of_another_agency_is_refused_as_not_found(
    officer: Any, other_officer: Any, other_site: Any
) -> None:
    theirs = report(other_officer, site=other_site).incident
    client = signed_in(officer)
    body = {"status": "closed", "verification": "verified", "edit_base": "x"}

    answer = _sync(client, officer, [_record("x1", f"/incidents/{theirs.pk}/update/", body)])

    assert answer.json()["results"][0]["status"] == "refused"
    assert "no longer in your scope" in answer.json()["results"][0]["message"]
    assert Incident.objects.get(pk=theirs.pk).status == "open"


def test_bad_batches_are_refused_with_a_clear_error_and_nothing_saved(
    officer: Any, site: Any
) -> None:
    client = signed_in(officer)
    one = _record("t-1", "/incidents/report/", _form(site))
    many = [{**one, "id": f"t-{n}"} for n in range(fieldsync.MAX_RECORDS + 1)]
    huge = {**one, "fields": [["description", "x" * fieldsync.MAX_BYTES]]}
    headers = {"X-Field-Sync": str(officer.pk)}

    answers = {
        "too many": _sync(client, officer, many),
        "too big": _sync(client, officer, [huge]),
        "not json": client.post(SYNC, "{", content_type="application/json", headers=headers),
        "empty": _sync(client, officer, []),
        "no id": _sync(client, officer, [{**one, "id": ""}]),
        "other page": _sync(client, officer, [{**one, "action": "/inbox/"}]),
    }

    assert {name: r.status_code for name, r in answers.items()} == {
        "too many": 400,
        "too big": 413,
        "not json": 400,
        "empty": 400,
        "no id": 400,
        "other page": 400,
    }
    assert "at most 20 records" in answers["too many"].json()["detail"]
    assert "at most 64 KB" in answers["too big"].json()["detail"]
    assert not Incident.objects.exists()


def test_another_users_batch_a_signed_out_sender_and_a_missing_csrf_token_are_refused(
    officer: Any, site: Any
) -> None:
    someone = factories.UserFactory.create(agency=officer.agency, role="protection_officer")
    records = [_record("o-1", "/incidents/report/", _form(site))]
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(officer)

    theirs = _sync(signed_in(officer), someone, records)
    signed_out = _sync(Client(), officer, records)
    no_token = _sync(csrf_checked, officer, records)

    assert theirs.status_code == 409
    assert signed_out.status_code == 401
    assert no_token.status_code == 403
    assert not Incident.objects.exists()


def test_a_role_that_may_not_report_is_refused_per_record(agency: Any, site: Any) -> None:
    analyst = factories.UserFactory.create(agency=agency, role="analyst")
    result = _sync(signed_in(analyst), analyst, [_record("a1", "/incidents/report/", _form(site))])

    assert result.json()["results"][0] == {
        "id": "a1",
        "status": "refused",
        "message": "Your role no longer allows this.",
    }
    assert not Incident.objects.exists()

"""Field mode's server side (protection/fieldmode.py): the queue's key, the service worker,
the manifest, and the answer to the queue's sender. The browser side is in
tests/browser/test_field_mode.py.
"""

import base64
import json
from typing import Any

import pytest
from django.templatetags.static import static
from django.test import Client, override_settings

from incidents.models import Incident
from tests import factories
from tests.incidents.test_pages import _form

pytestmark = pytest.mark.django_db


def _sync(owner: str) -> dict[str, str]:
    return {"X-Field-Sync": owner}


def _key(client: Client) -> bytes:
    response = client.get("/field/key")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return base64.b64decode(response.json()["key"])


def test_each_user_gets_the_same_key_at_each_sign_in_and_no_one_elses(
    officer: Any, other_officer: Any
) -> None:
    first, again, other = Client(), Client(), Client()
    first.force_login(officer)
    again.force_login(officer)
    other.force_login(other_officer)

    key = _key(first)

    assert len(key) == 32
    assert _key(again) == key  # a new session of the same user reads the same queue
    assert _key(other) != key
    with override_settings(FIELD_KEY_VERSION=2):
        assert _key(first) != key  # a new version revokes every queue left on a device
    assert Client().get("/field/key").status_code == 302  # a visitor gets no key


def test_the_service_worker_keeps_the_hashed_files_and_the_two_forms() -> None:
    response = Client().get("/sw.js")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert json.dumps(static("js/field-mode.js")) in body
    assert '"/incidents/report/"' in body and '"/registry/households/register/"' in body


def test_the_manifest_makes_the_app_installable() -> None:
    response = Client().get("/manifest.webmanifest")

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == "/incidents/report/"
    assert data["display"] == "standalone" and data["icons"]


def test_a_queued_report_is_saved_once_and_answered_briefly(officer: Any, site: Any) -> None:
    client = Client()
    client.force_login(officer)
    body = {**_form(site), "submission_token": "queued-record-1"}

    first = client.post("/incidents/report/", body, headers=_sync(str(officer.pk)))
    again = client.post("/incidents/report/", body, headers=_sync(str(officer.pk)))

    incident = Incident.objects.get()
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"location": f"/incidents/{incident.pk}/"}


def test_a_refused_report_gets_the_form_with_its_errors_and_writes_nothing(
    officer: Any, site: Any, other_site: Any
) -> None:
    client = Client()
    client.force_login(officer)

    blank = client.post(
        "/incidents/report/", {**_form(site), "description": ""}, headers=_sync(str(officer.pk))
    )
    elsewhere = client.post(
        "/incidents/report/", {**_form(site), "site": other_site.pk}, headers=_sync(str(officer.pk))
    )

    assert blank.status_code == elsewhere.status_code == 200
    assert "This field is required." in blank.content.decode()
    assert "Select a valid choice" in elsewhere.content.decode()  # a site out of scope
    assert not Incident.objects.exists()


def test_another_users_queue_is_refused_and_a_signed_out_sender_is_told(
    officer: Any, site: Any
) -> None:
    someone = factories.UserFactory.create(agency=officer.agency, role="protection_officer")
    client = Client()
    client.force_login(officer)

    theirs = client.post("/incidents/report/", _form(site), headers=_sync(str(someone.pk)))
    signed_out = Client().post("/incidents/report/", _form(site), headers=_sync(str(officer.pk)))

    assert theirs.status_code == 409
    assert signed_out.status_code == 401
    assert not Incident.objects.exists()

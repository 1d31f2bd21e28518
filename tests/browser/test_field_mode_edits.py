"""An edit made offline waits with the base it was opened with (field-mode.js, protection.edits).

An officer opens an incident, loses the connection and changes its response; the form is kept
on the device, encrypted, with its signed base. Meanwhile a colleague, online, saves other
actions taken. When the connection returns the batch is sent: the server finds the conflict,
saves nothing, and the officer sees it listed, opens it, and gets the page's choice (yours, saved
now, when you opened the form); they keep their own and save. A person edited offline with no
conflict is saved once. In English and in Arabic, on a
phone and a desktop; axe-core finds no serious violation in the field mode's status.

Screenshots go to test-results/ (or FIELD_MODE_SCREENSHOTS).
"""

import re
from typing import Any

import pytest

from cases.models import DisplacedPerson
from incidents.models import Incident
from protection.models import AuditEvent
from tests.browser.session import sign_in_as
from tests.browser.test_field_mode import (
    DESKTOP,
    PHONE,
    SHOTS,
    _serious,
    field_ready,
    synced,
    waiting,
)
from tests.factories import UserFactory, register_household
from tests.incidents.conftest import report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]

THEIRS = "Survivor referred to the clinic."
MINE = "Family informed; follow-up visit on Monday."


def _save(page: Any) -> None:
    page.locator('form[action$="/update/"] button[type="submit"]').click()


def _shots(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(SHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_edit_made_offline_and_changed_meanwhile_online_is_shown_not_overwritten(
    live_server: Any, browser: Any, agency: Any, site: Any, language: str
) -> None:
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    colleague = UserFactory.create(agency=agency, role="protection_officer", username="colleague")
    incident = report(officer, site=site).incident
    url = f"{live_server.url}/incidents/{incident.pk}/"
    context = browser.new_context(viewport=PHONE, locale=language)
    other = browser.new_context(viewport=DESKTOP, locale=language)
    page, theirs = context.new_page(), other.new_page()
    page.set_default_timeout(15_000)
    theirs.set_default_timeout(15_000)
    try:
        field_ready(page, live_server.url, officer)
        page.goto(url)
        context.set_offline(True)
        page.select_option('[name="verification"]', "verified")
        page.fill('[name="actions_taken"]', MINE)
        _save(page)
        waiting(page, 1)  # kept on the device with the base the form was opened with

        sign_in_as(theirs, live_server.url, colleague)  # meanwhile, online
        theirs.goto(url)
        theirs.fill('[name="actions_taken"]', THEIRS)
        _save(theirs)
        theirs.wait_for_load_state()
        assert Incident.objects.get(pk=incident.pk).actions_taken == THEIRS

        context.set_offline(False)
        refused = page.locator("#field-mode .field-mode-refused li")
        refused.wait_for()
        assert incident.reference in refused.inner_text()  # which record, kept encrypted
        saved = Incident.objects.get(pk=incident.pk)
        assert (saved.actions_taken, saved.verification) == (THEIRS, "reported")  # not overwritten
        page.evaluate("window.scrollTo(0, 0)")
        _shots(page, f"field-mode-conflict-listed-{language}")
        assert _serious(page) == []

        refused.locator("button").click()
        page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/update/$"))
        conflict = page.locator('#edit-conflicts [data-field="actions_taken"]')
        assert conflict.locator(".conflict-theirs").inner_text().strip() == THEIRS
        assert conflict.locator(".conflict-yours").inner_text().strip() == MINE
        assert conflict.locator(".conflict-base").count() == 1
        assert page.locator('[name="actions_taken"]').input_value() == MINE
        _shots(page, f"field-mode-conflict-shown-{language}")

        conflict.locator('input[value="mine"]').check()
        _save(page)
        page.wait_for_url(re.compile(rf"/incidents/{incident.pk}/$"))
        saved = Incident.objects.get(pk=incident.pk)
        assert (saved.actions_taken, saved.verification) == (MINE, "verified")
        assert page.locator("#field-mode .field-mode-refused li").count() == 0
    finally:
        context.close()
        other.close()


def test_a_person_edited_offline_with_no_conflict_is_saved_once(
    live_server: Any, browser: Any, agency: Any, site: Any
) -> None:
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    registered = register_household(actor=officer, site=site, members=[{"family_name": "Deng"}])
    person = registered.members[0]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        field_ready(page, live_server.url, officer)
        page.goto(f"{live_server.url}/registry/people/{person.pk}/edit/")
        context.set_offline(True)
        page.fill('[name="phone"]', "+211 955 555 555")
        page.locator("form[data-field-form] button[type=submit]").click()
        waiting(page, 1)

        context.set_offline(False)
        synced(page)
        page.reload()  # a second pass sends nothing again
        assert DisplacedPerson.objects.get(pk=person.pk).phone == "+211 955 555 555"
        updates = AuditEvent.objects.filter(action="person.update", object_id=str(person.pk))
        assert updates.count() == 1
    finally:
        context.close()

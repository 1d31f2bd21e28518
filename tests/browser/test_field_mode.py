"""Field mode in the browser, with the network cut (protection/fieldmode.py, field-mode.js).

An officer reports an incident and registers a household offline, reloads the page offline
(the queue survives), comes back online, and each record is created once; a sync cut half-way
and resumed creates no duplicate; a record the server refuses comes back with its message; a
second user signing in on the same browser cannot read the first one's queue. Offline edits
and their conflicts: tests/browser/test_field_mode_edits.py.
"""

import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from cases.models import Household
from incidents.models import Incident
from tests.browser.session import sign_in_as
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(300),
]

SHOTS = Path(os.environ.get("FIELD_MODE_SCREENSHOTS") or Path(settings.BASE_DIR) / "test-results")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
REPORT = "/incidents/report/"
REGISTER = "/registry/households/register/"
SYNC = "/field/sync"
STATUS = "#field-mode .field-mode-state"

# The page's IndexedDB, read as the test's own script in the page.
IDB = """
  const db = await new Promise((ok) => {
    const r = indexedDB.open("field-mode", 1);
    r.onsuccess = () => ok(r.result);
  });
  const all = (name) => new Promise((ok) => {
    const r = db.transaction(name).objectStore(name).getAll();
    r.onsuccess = () => ok(r.result);
  });
  const rows = await all("queue");
  const keys = await all("keys");
  db.close();
"""

READY = f"""async () => {{
  if (!navigator.serviceWorker.controller) return false;
  const pages = await (await caches.open("field-pages")).keys();
  {IDB}
  return pages.length === 2 && keys.length === 1;
}}"""

# Which records each key kept on the device opens.
QUEUE = f"""async () => {{
  {IDB}
  const opened = [];
  for (const row of rows) {{
    for (const kept of keys) {{
      const aad = new TextEncoder().encode(kept.user);
      try {{
        const how = {{ name: "AES-GCM", iv: row.iv, additionalData: aad }};
        await crypto.subtle.decrypt(how, kept.key, row.sealed);
        opened.push(row.id);
      }} catch (error) {{ /* not this user's key */ }}
    }}
  }}
  return {{
    rows: rows.map((r) => ({{ owner: r.owner, fields: Object.keys(r).sort() }})),
    keys: keys.map((k) => k.user),
    opened: opened,
  }};
}}"""

BUNDLE = """async () => {
  let total = 0;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      total += (await (await cache.match(request)).arrayBuffer()).byteLength;
    }
  }
  return total;
}"""


def field_ready(page: Any, base: str, user: Any) -> None:
    """Sign `user` in and open the app online until its pages and key are on the device."""
    sign_in_as(page, base, user)
    page.goto(f"{base}{REPORT}")
    for _attempt in range(100):
        if page.evaluate(READY):
            return
        page.wait_for_timeout(100)
    raise AssertionError("field mode did not get ready")


def report_incident(page: Any, site: Any, description: str = "Shots near the water point.") -> None:
    page.select_option('[name="incident_type"]', index=1)
    page.check('[name="severity"][value="2"]')
    page.select_option('[name="site"]', value=str(site.pk))
    page.fill('[name="description"]', description)
    page.fill('[name="male_adults"]', "2")
    page.select_option('[name="perpetrator_category"]', index=1)
    page.select_option('[name="source"]', index=1)
    page.locator("form[data-field-form] button[type=submit]").click()


def register_household(page: Any, family: str, given: str = "Nyakuoth") -> None:
    page.fill('[name="address"]', "Block C, plot 14")
    page.select_option('[name="displacement_status"]', value="IDP")
    page.select_option('[name="consent_given_by"]', value="person")
    page.fill('[name="members-0-given_name"]', given)
    page.fill('[name="members-0-family_name"]', family)
    page.select_option('[name="members-0-sex"]', value="female")
    page.fill('[name="members-0-date_of_birth"]', "09/03/1988")
    page.locator("form[data-field-form] button[type=submit]").last.click()


def waiting(page: Any, count: int) -> None:
    page.locator(STATUS).filter(has_text=re.compile(rf"\b{count}\b")).wait_for()


# Every record kept on the device has had the server's answer (saved and removed, or refused).
ANSWERED = f"""async () => {{
  {IDB}
  return rows.every((row) => row.refused);
}}"""


def synced(page: Any, timeout: int = 60_000) -> None:
    # The status box starts hidden at each load, before the script has read the queue: only the
    # queue itself says that the sync is over.
    page.wait_for_function(ANSWERED, timeout=timeout, polling=200)
    page.locator("#field-mode").wait_for(state="hidden", timeout=timeout)


def _serious(page: Any) -> list[str]:
    results = Axe().run(page, context="#field-mode")
    return [
        v["id"] for v in results.response["violations"] if v["impact"] in {"critical", "serious"}
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_offline_report_and_registration_survive_a_reload_and_are_created_once(
    live_server: Any, browser: Any, agency: Any, site: Any, language: str
) -> None:
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        field_ready(page, live_server.url, officer)
        context.set_offline(True)
        report_incident(page, site)
        waiting(page, 1)
        page.goto(f"{live_server.url}{REGISTER}")  # served by the service worker
        register_household(page, "Gatluak")
        waiting(page, 2)
        page.reload()
        waiting(page, 2)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"field-mode-offline-{language}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"field-mode-offline-{language}-desktop.png"))
        page.set_viewport_size(PHONE)
        assert _serious(page) == []
        queue = page.evaluate(QUEUE)
        # Only ciphertext is kept: no field of the form is readable in the stored record.
        assert [row["fields"] for row in queue["rows"]] == [
            ["at", "id", "iv", "owner", "refused", "sealed"]
        ] * 2
        assert Incident.objects.count() == 0

        context.set_offline(False)
        page.reload()
        synced(page)
        assert [i.description for i in Incident.objects.all()] == ["Shots near the water point."]
        household = Household.objects.get()
        assert [m.family_name for m in household.members.all()] == ["Gatluak"]
        page.reload()  # a second pass sends nothing again
        assert Incident.objects.count() == 1 and Household.objects.count() == 1
    finally:
        context.close()


def test_a_sync_cut_half_way_and_resumed_creates_no_duplicate(
    live_server: Any, browser: Any, agency: Any, site: Any
) -> None:
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        field_ready(page, live_server.url, officer)
        context.set_offline(True)
        for number in range(3):
            report_incident(page, site, f"Incident number {number}.")
            waiting(page, number + 1)
        batches: list[int] = []

        def cut_half_way(route: Any) -> None:
            batch = json.loads(route.request.post_data)
            batches.append(len(batch["records"]))
            # The server saves the first two records of the batch, then the link drops: the
            # third never arrives and no answer comes back.
            batch["records"] = batch["records"][:2]
            route.fetch(post_data=json.dumps(batch))
            route.abort("connectionreset")

        context.route(f"**{SYNC}", cut_half_way)
        context.set_offline(False)
        deadline = time.monotonic() + 20
        while Incident.objects.count() < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        waiting(page, 3)  # no answer came back: the three wait, under their tokens
        assert batches == [3]
        assert Incident.objects.count() == 2
        context.unroute(f"**{SYNC}")
        page.reload()  # the sync resumes: the batch is sent again, each record under its token
        synced(page)
        deadline = time.monotonic() + 20
        while Incident.objects.count() < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        descriptions = sorted(i.description for i in Incident.objects.all())
        assert descriptions == [f"Incident number {n}." for n in range(3)]
    finally:
        context.close()


def test_a_refused_record_comes_back_with_the_servers_message(
    live_server: Any, browser: Any, agency: Any, site: Any
) -> None:
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        field_ready(page, live_server.url, officer)
        context.set_offline(True)
        report_incident(page, site, description="")  # the description is required
        waiting(page, 1)
        context.set_offline(False)
        refused = page.locator("#field-mode .field-mode-refused li")
        refused.wait_for()
        assert "This field is required." in refused.inner_text()
        page.screenshot(path=str(SHOTS / "field-mode-refused.png"), full_page=True)
        assert _serious(page) == []
        assert Incident.objects.count() == 0

        refused.get_by_role("button", name="Open to correct").click()
        page.wait_for_url(re.compile(REPORT))
        page.locator(".has-error").filter(has_text="Description").wait_for()
        assert page.locator('[name="male_adults"]').input_value() == "2"  # as queued
        page.fill('[name="description"]', "Corrected: shots near the water point.")
        page.locator("form[data-field-form] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/incidents/\d+/$"))
        assert Incident.objects.get().description == "Corrected: shots near the water point."
        assert page.evaluate(QUEUE)["rows"] == []
    finally:
        context.close()


def test_a_second_user_on_the_browser_cannot_read_the_first_users_queue(
    live_server: Any, browser: Any, agency: Any, site: Any
) -> None:
    first = UserFactory.create(agency=agency, role="protection_officer", username="first")
    second = UserFactory.create(agency=agency, role="protection_officer", username="second")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        field_ready(page, live_server.url, first)
        context.set_offline(True)
        report_incident(page, site, "Kept for the first officer.")
        waiting(page, 1)
        context.route(f"**{SYNC}", lambda route: route.abort())  # the link is still down
        context.set_offline(False)
        page.goto(f"{live_server.url}/inbox/")
        waiting(page, 1)
        page.locator("[data-field-signout] button").click()
        page.wait_for_url(re.compile("/accounts/login/"))
        context.unroute(f"**{SYNC}")

        field_ready(page, live_server.url, second)
        queue = page.evaluate(QUEUE)
        assert [row["owner"] for row in queue["rows"]] == [str(first.pk)]  # kept, not lost
        assert queue["keys"] == [str(second.pk)]  # the first user's key left the device
        assert queue["opened"] == []  # the second user's key does not open it
        assert page.locator("#field-mode").is_hidden()
        assert Incident.objects.count() == 0

        page.context.clear_cookies()
        field_ready(page, live_server.url, first)  # the first officer comes back
        synced(page)
        assert Incident.objects.get().reported_by == first
    finally:
        context.close()


GIVEN = ["Nyakuoth", "Achol", "Deng", "Amani", "Halima"]
FAMILY = ["Gatluak", "Majok", "Lual", "Wani", "Osman"]
SLOW = {
    "offline": False,
    "latency": 500,
    "downloadThroughput": 50_000 / 8,
    "uploadThroughput": 50_000 / 8,
}
CUT = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def test_a_throttled_sync_of_ten_incidents_and_five_households_completes(
    live_server: Any, browser: Any, agency: Any, site: Any
) -> None:
    """Measures the offline bundle and the bytes sent to sync (docs/field-mode.md)."""
    officer = UserFactory.create(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sent: list[dict[str, int]] = []
    context.on(
        "requestfinished",
        lambda request: sent.append(request.sizes()) if "x-field-sync" in request.headers else None,
    )
    try:
        field_ready(page, live_server.url, officer)
        bundle = page.evaluate(BUNDLE)
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send("Network.emulateNetworkConditions", CUT)
        for number in range(10):
            report_incident(page, site, f"Patrol note {number}: shots heard at dusk.")
            waiting(page, number + 1)
        for number in range(5):
            page.goto(f"{live_server.url}{REGISTER}")
            register_household(page, FAMILY[number], GIVEN[number])
            waiting(page, 11 + number)

        # The page shows the sync over as soon as it has read the answer; the browser reports
        # the request finished a moment later: wait for that report too, not only the page.
        with context.expect_event(
            "requestfinished",
            predicate=lambda request: "x-field-sync" in request.headers,
            timeout=180_000,
        ):
            network.send("Network.emulateNetworkConditions", SLOW)
            synced(page, timeout=180_000)

        assert Incident.objects.count() == 10 and Household.objects.count() == 5
        assert len(sent) == 1  # one batch: 15 records, about 10 KB
        body = sum(size["requestBodySize"] for size in sent)
        headers = sum(size["requestHeadersSize"] for size in sent)
        answers = sum(size["responseBodySize"] + size["responseHeadersSize"] for size in sent)
        figures = {
            "bundle": bundle,
            "requests": len(sent),
            "body": body,
            "headers": headers,
            "answers": answers,
        }
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "field-mode-bytes.json").write_text(json.dumps(figures))
        print("field mode:", figures)
    finally:
        context.close()

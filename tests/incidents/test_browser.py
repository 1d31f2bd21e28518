"""In the browser: an officer reports a critical incident; the duty officer on tier 1 finds the
alert in the inbox (delivered by a real worker) and acknowledges it."""

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from incidents.models import Alert
from protection.notifications.models import Notification
from tests.browser.session import sign_out
from tests.factories import PASSWORD
from tests.incidents.conftest import make_policy, make_site, make_user, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.timeout(180),
]

# The sync Playwright API runs an event loop in the test thread; Django's guard against
# database access from async contexts is lifted for these tests (as in tests/browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium, quietly, instead of a browser downloaded by Playwright."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture
def page(page: Any) -> Iterator[Any]:
    page.set_default_timeout(15_000)
    yield page


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page: Any) -> None:
    sign_out(page)


def test_an_officer_reports_a_critical_incident_and_the_duty_officer_acknowledges(
    alert_worker: Any, live_server: Any, page: Any, agency: Any
) -> None:
    site = make_site(managing_agency=agency, name="Malakal PoC", code="MAL-POC")
    make_user(agency=agency, role="protection_officer", username="reporter")
    duty = make_user(agency=agency, role="protection_officer", username="duty")
    make_policy(tiers=[{"users": [duty], "in_app": True}], minimum_severity=4)

    _sign_in(page, live_server.url, "reporter")
    page.goto(f"{live_server.url}/incidents/report/")
    page.select_option('[name="incident_type"]', label="Attack on a camp or civilians")
    page.get_by_label("Critical").check()
    page.select_option('[name="site"]', label=str(site))
    page.fill('[name="description"]', "Armed men fired into the PoC site from the north gate.")
    page.fill('[name="male_adults"]', "4")
    page.select_option('[name="perpetrator_category"]', label="Non-state armed group")
    page.select_option('[name="source"]', label="Direct observation by staff")
    page.get_by_role("button", name="Report the incident").click()
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    page.get_by_text("1 alert(s) raised").wait_for()
    _sign_out(page)

    wait_for(lambda: Notification.objects.filter(recipient=duty).exists())
    _sign_in(page, live_server.url, "duty")
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_text("1 unread notification.").wait_for()
    page.get_by_role("link", name=re.compile("Attack on a camp")).click()
    page.wait_for_url(re.compile(r"/incidents/alerts/\d+/$"))
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_text("Alert acknowledged: escalation stopped.").wait_for()

    alert = Alert.objects.get()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", duty)
    assert Notification.objects.get(recipient=duty).read_at is not None

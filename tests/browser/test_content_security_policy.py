"""The main pages, the admin and the API docs work under the Content-Security-Policy.

Chromium enforces the header the site sends; every `securitypolicyviolation` event, console
error and uncaught page error on the way fails the test, naming the page.
"""

from pathlib import Path
from typing import Any

import pytest

from incidents.models import Incident
from tests.browser.session import sign_in_as
from tests.casework.conftest import (  # the casework fixtures, shared with these tests
    agreement,
    case,
    household,
    partner,
    person,
    refer,
    service,
    worker,
)
from tests.factories import UserFactory
from tests.incidents.conftest import report

__all__ = ["agreement", "case", "household", "partner", "person", "service", "worker"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots" / "csp"

# Recorded in the page itself, before any of its scripts run.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Problems:
    """What went wrong on each page: CSP violations, console errors, uncaught errors."""

    def __init__(self, page: Any) -> None:
        self.found: list[str] = []
        self.page = page
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.found.append(f"{page.url}: {error}"))
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.found.append(f"{self.page.url}: HTTP {response.status} for {response.url}")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.found.append(f"{self.page.url}: console: {message.text}")

    def visit(self, url: str, wait_for: str, shot: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        self.page.locator(wait_for).first.wait_for()
        # A violation is reported asynchronously: let the page settle before reading them.
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.__violations")
        self.found.extend(f"{url}: CSP {v}" for v in violations)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"))


def test_the_main_pages_run_under_the_policy_without_a_violation(
    live_server: Any,
    page: Any,
    agency: Any,
    site: Any,
    officer: Any,
    worker: Any,
    case: Any,
    service: Any,
    agreement: Any,
) -> None:
    supervisor = UserFactory.create(agency=agency, role="supervisor", username="csp_supervisor")
    referral = refer(worker, case, service)
    incident: Incident = report(officer, site=site).incident
    base = live_server.url
    problems = Problems(page)

    sign_in_as(page, base, supervisor)
    problems.visit(f"{base}/registry/people/", "main table", "people")
    problems.visit(f"{base}/registry/people/{case.primary_person_id}/", "main h1", "person")
    problems.visit(f"{base}/registry/cases/{case.pk}/", "main h1", "case")
    problems.visit(f"{base}/registry/referrals/sent/{referral.pk}/", "main h1", "referral")
    problems.visit(f"{base}/incidents/{incident.pk}/", "main h1", "incident")
    problems.visit(f"{base}/incidents/map/", "#incident-map[data-incidents]", "incident-map")
    problems.visit(f"{base}/registry/households/register/", "main form", "register")

    assert problems.found == [], "\n".join(problems.found)


def test_the_admin_and_the_api_docs_run_under_the_policy(
    live_server: Any, page: Any, agency: Any, site: Any
) -> None:
    root = UserFactory.create(
        agency=None, role="", username="csp_admin", is_staff=True, is_superuser=True
    )
    base = live_server.url
    problems = Problems(page)

    sign_in_as(page, base, root)
    problems.visit(f"{base}/admin/", "#content-main", "admin-index")
    problems.visit(f"{base}/admin/camps/site/", "#result_list", "admin-sites")
    problems.visit(f"{base}/admin/camps/site/{site.pk}/change/", "#site_form", "admin-site")
    problems.visit(f"{base}/admin/pipeline/", ".pipeline-figures", "admin-pipeline")
    problems.visit(f"{base}/api/v1/docs/", ".swagger-ui .opblock", "swagger")
    problems.visit(f"{base}/api/v1/redoc/", "[role=search], .api-content", "redoc")

    assert problems.found == [], "\n".join(problems.found)

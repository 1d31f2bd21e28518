"""Every page of the app and of the admin, as each role, in English and in Arabic: no server
error, the page's direction right, and no critical or serious axe-core finding.

One browser for the run, one context per role and language (signed in once), the demo seeded
once for the module (tests/browser/walk_world.py). The pages come from the URL conf and the
admin's registry (tests/browser/walk_pages.py). Each role and language is a test of its own,
so `-k "admin and ar"` or pytest-xdist can split the walk. What each walk found is written to
test-results/walk/<role>-<language>.json (or WALK_RESULTS), one line per page with findings.
"""

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.db import connections

from tests.browser.session import sign_in_as
from tests.browser.walk_pages import (
    ADMIN_PAGES,
    NOT_PAGES,
    ROUTE_RECORDS,
    admin_model_lists,
    app_pages,
    app_routes,
)
from tests.browser.walk_world import ROLES, WalkWorld, record_ids, walk_world  # noqa: F401

pytestmark = pytest.mark.browser

RESULTS = Path(os.environ.get("WALK_RESULTS") or Path(settings.BASE_DIR) / "test-results" / "walk")
# axe-core is in the page before the page's own scripts run (an init script of the context);
# only what fails is returned, with the impacts that fail the walk.
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => ({
    dir: document.documentElement.getAttribute("dir"),
    violations: r.violations.filter(v => v.impact === "critical" || v.impact === "serious")
        .map(v => ({rule: v.id, impact: v.impact, nodes: v.nodes.length,
                    target: v.nodes[0].target.join(" ")})),
}))"""
# WALK_SCREENSHOTS=<folder>: a full-page screenshot of these pages, to look at.
SCREENSHOTS = os.environ.get("WALK_SCREENSHOTS")
SCREENSHOT_PAGES = {
    "admin:index",
    "incidents.escalationpolicy change",
    "incidents.escalationpolicy add",
    "camps.site change",
    "accounts.user list",
    "protection.auditevent list",
}
ADMIN_ROW_LINK = "#result_list tbody tr th a, #result_list tbody tr td.field-__str__ a"


class Walk:
    """One role's walk in one language: visits pages and keeps what it found."""

    def __init__(self, page: Any, base_url: str, language: str, role: str) -> None:
        self.page, self.base_url, self.language, self.role = page, base_url, language, role
        self.visited: list[str] = []
        self.findings: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.wrong_direction: list[str] = []
        self.axe_seconds: dict[str, float] = {}

    def visit(self, name: str, path: str) -> bool:
        """Open the page and check it; return whether it was a page the user may see."""
        response = self.page.goto(self.base_url + path)
        status = response.status if response else 0
        if status >= 500:
            self.errors.append(f"{status} {name} {path}")
        content_type = (response.headers.get("content-type", "") if response else "") or ""
        if status != 200 or not content_type.startswith("text/html"):
            return False
        # A page reached again through a redirect (the home page, a sign-in page) is checked once.
        landed = self.page.url.removeprefix(self.base_url)
        if landed in self.visited:
            return True
        self.visited.append(landed)
        started = time.monotonic()
        result = self.page.evaluate(AXE_RUN)
        self.axe_seconds[path] = round(time.monotonic() - started, 2)
        if result["dir"] != ("rtl" if self.language == "ar" else "ltr"):
            self.wrong_direction.append(path)
        for violation in result["violations"]:
            self.findings.append({"page": name, "path": path, **violation})
        if SCREENSHOTS and name in SCREENSHOT_PAGES:
            slug = name.replace(":", "-").replace(" ", "-").replace(".", "-")
            shot = Path(SCREENSHOTS) / f"{self.role}-{slug}-{self.language}.png"
            self.page.screenshot(path=str(shot), full_page=True)
        return True

    def admin(self) -> None:
        """Walk the admin: index, each model's list, its first row, its add form."""
        for name, path in ADMIN_PAGES:
            self.visit(name, path)
        for label, path in admin_model_lists():
            if not self.visit(f"{label} list", path):
                continue
            first_row = self.page.locator(ADMIN_ROW_LINK).first
            change = first_row.get_attribute("href") if first_row.count() else None
            add = self.page.locator("a.addlink").first
            add_path = add.get_attribute("href") if add.count() else None
            if change:
                self.visit(f"{label} change", change)
            if add_path:
                self.visit(f"{label} add", add_path)


def _summary(walk: Walk, role: str, seconds: float) -> dict[str, Any]:
    by_rule: dict[str, int] = {}
    for finding in walk.findings:
        key = f"{finding['impact']} {finding['rule']}"
        by_rule[key] = by_rule.get(key, 0) + 1
    return {
        "role": role,
        "language": walk.language,
        "pages": len(walk.visited),
        "seconds": round(seconds, 1),
        "pages_with_findings": len({f["path"] for f in walk.findings}),
        "by_rule": by_rule,
        "findings": walk.findings,
        "server_errors": walk.errors,
        "wrong_direction": walk.wrong_direction,
        "slowest": sorted(walk.axe_seconds.items(), key=lambda item: -item[1])[:10],
        "axe_seconds": round(sum(walk.axe_seconds.values()), 1),
    }


# A walk is some 30 to 90 pages; on a loaded machine that is minutes, not seconds.
@pytest.mark.timeout(900)
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_is_free_of_serious_accessibility_faults(
    walk_world: WalkWorld,  # noqa: F811 - the fixture imported above
    browser: Any,
    django_db_blocker: Any,
    role: str,
    language: str,
) -> None:
    started = time.monotonic()
    user = walk_world.users[role]
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        locale=language,
        extra_http_headers={"Accept-Language": language},
    )
    context.add_init_script(script=Axe().axe_script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    walk = Walk(page, walk_world.url, language, role)
    try:
        # The live server answers from this thread's database, unblocked for the whole walk.
        with django_db_blocker.unblock():
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
            sign_in_as(page, walk_world.url, user)
            ids = record_ids(user)
            connections.close_all()
            for name, path in app_pages(ids):
                walk.visit(name, path)
            if user.is_staff:
                walk.admin()
    finally:
        context.close()
    summary = _summary(walk, role, time.monotonic() - started)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{role}-{language}.json").write_text(json.dumps(summary, indent=1))
    assert len(walk.visited) > 5
    assert walk.errors == []
    assert walk.wrong_direction == []
    assert walk.findings == [], json.dumps(summary["by_rule"], indent=1)


def test_every_route_is_walked_or_skipped() -> None:
    unmapped = [
        name
        for name, arguments in app_routes()
        if arguments and len(ROUTE_RECORDS.get(name, ())) != arguments
    ]
    assert unmapped == []
    assert set(ROUTE_RECORDS).isdisjoint(NOT_PAGES)

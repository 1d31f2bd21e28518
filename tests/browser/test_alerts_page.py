"""The alerts page in the browser: a duty officer with two alerts waiting (an incident and an
early warning) and one acknowledged reads one card per alert, opens the critical incident and
acknowledges it, acknowledges the early warning from its card, and finds all three in the
"Acknowledged" tab; on a desktop and a phone, in English
and in Arabic. axe-core finds no violation; the cards fit the phone without sideways scrolling.

Screenshots go to test-results/alerts/ (or ALERT_SCREENSHOTS).
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from incidents.alerts.services import alert_acknowledge
from incidents.early_warning.services import early_warning_raise
from incidents.early_warning.statistics import WindowAssessment
from incidents.models import Alert, PolicyTrigger
from protection.notifications.models import Delivery
from protection.notifications.services.sending import delivery_send
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD, UserFactory
from tests.incidents.conftest import make_policy, report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("alerts", "ALERT_SCREENSHOTS")


def _no_violation(page: Any) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_duty_officer_reads_and_acknowledges_alerts(
    live_server: Any, browser: Any, agency: Any, site: Any, officer: Any, device: str, language: str
) -> None:
    duty = UserFactory.create(agency=agency, role="protection_officer", username="duty")
    tier = {"users": [duty], "in_app": True}
    make_policy(tiers=[tier], minimum_severity=3)
    make_policy(name="Early warning", trigger=PolicyTrigger.EARLY_WARNING, tiers=[tier])
    (done,) = report(officer, site=site, severity=3).alerts
    (critical,) = report(officer, site=site, severity=4, incident_type="attack").alerts
    early_warning_raise(
        site=site,
        assessment=WindowAssessment(
            window="24h", observed=9, expected=1.2, probability=1.1e-07, raised=True
        ),
    )
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        delivery_send(delivery_id=pk)
    alert_acknowledge(actor=duty, alert=done)

    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill('[name="username"]', "duty")
        page.fill('[name="password"]', PASSWORD)
        page.locator('main button[type="submit"], main input[type="submit"]').first.click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/incidents/alerts/")

        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        cards = page.locator("li.alert-row")
        assert cards.count() == 2
        assert page.locator("li.alert-row.unread").count() == 2
        # The critical incident first (its deadline is the sooner), then the early warning.
        assert critical.incident is not None
        assert critical.incident.reference in cards.nth(0).inner_text()
        if language == "en":
            assert "9 incidents in 24 hours; usually about 1" in cards.nth(1).inner_text()
            assert "2 waiting" in page.locator("header").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[device]["width"]
        page.screenshot(path=str(SCREENSHOTS / f"waiting-{device}-{language}.png"), full_page=True)
        _no_violation(page)

        cards.nth(0).locator("a").first.click()
        page.wait_for_url(re.compile(rf"/incidents/alerts/{critical.pk}/$"))
        page.locator('form[action$="/acknowledge/"] button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/incidents/alerts/{critical.pk}/$"))
        page.screenshot(path=str(SCREENSHOTS / f"detail-{device}-{language}.png"), full_page=True)
        _no_violation(page)
        assert Alert.objects.get(pk=critical.pk).status == "acknowledged"

        page.goto(f"{live_server.url}/incidents/alerts/")
        assert page.locator("li.alert-row").count() == 1
        assert page.locator("li.alert-row.unread").count() == 1  # the early warning, unopened
        # The early warning is acknowledged from its card: the page comes back with none waiting.
        page.locator("li.alert-row button[type=submit]").click()
        page.wait_for_url(re.compile(r"/incidents/alerts/$"))
        assert page.locator("li.alert-row").count() == 0
        assert page.locator("header .badge").count() == 0
        page.goto(f"{live_server.url}/incidents/alerts/?state=acknowledged")
        assert page.locator("li.alert-row").count() == 3
        assert page.locator("li.alert-row.unread").count() == 0
        page.screenshot(
            path=str(SCREENSHOTS / f"acknowledged-{device}-{language}.png"), full_page=True
        )
        _no_violation(page)
    finally:
        context.close()

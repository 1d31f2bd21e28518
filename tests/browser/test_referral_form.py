"""The referral form's main path in the browser: one tick per item shared, the consent's fields
marked required, the override's fields marked instead when the basis changes; on a phone and a
desktop, in English and in Arabic, with axe-core finding no serious fault. Screenshots go to
test-results/referral/ (or REFERRAL_SCREENSHOTS), for a person to look at.
"""

import datetime
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from cases.casework.services import case_open
from cases.models import ProtectionCase, Referral
from partners.models import DataCategory, DataSharingAgreement, Sector, Service, SharingPurpose
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.browser.touches import Touches
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("referral", "REFERRAL_SCREENSHOTS")


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"critical", "serious"}
    ]


def _case(agency: Any, site: Any, partner: Any) -> tuple[Any, ProtectionCase, Service]:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    worker: Any = UserFactory(agency=agency, role="case_worker", username="worker")
    person = register_household(actor=officer, site=site).members[0]
    case = case_open(
        actor=worker,
        person=person,
        case_type="general_protection",
        risk_level="medium",
        summary="Threats.",
    )
    service = Service.objects.create(
        agency=partner, name="Clinical care", sector=Sector.objects.get(code="gbv")
    )
    today = timezone.localdate()
    DataSharingAgreement.objects.create(
        agency_one=agency,
        agency_two=partner,
        purposes=[SharingPurpose.REFERRAL],
        data_categories=list(DataCategory.values),
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today + datetime.timedelta(days=365),
    )
    return worker, case, service


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_referral_with_consent_one_tick_per_item(
    live_server: Any,
    browser: Any,
    agency: Any,
    site: Any,
    other_agency: Any,
    device: str,
    language: str,
) -> None:
    worker, case, service = _case(agency, site, other_agency)
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, worker)
        page.goto(f"{live_server.url}/registry/cases/{case.pk}/refer/")
        consent_label = page.locator('label[for="id_consent_given_by"]')
        reason_label = page.locator('label[for="id_override_reason"]')
        assert "required" in (consent_label.get_attribute("class") or "")
        assert page.locator("#id_consent_given_by").get_attribute("aria-required") == "true"
        assert page.locator("#id_override_reason").is_hidden()  # the other basis is folded

        page.check('[name="basis"][value="override"]')
        assert "required" in (reason_label.get_attribute("class") or "")
        assert page.locator("#id_override_reason").get_attribute("aria-required") == "true"
        assert "required" not in (consent_label.get_attribute("class") or "")
        page.screenshot(path=str(SCREENSHOTS / f"override-{device}-{language}.png"), full_page=True)
        page.check('[name="basis"][value="consent"]')

        me = Touches(page)
        me.select('[name="service"]', value=str(service.pk))
        me.fill('[name="reason"]', "Needs clinical care within 72 hours.")
        me.select('[name="urgency"]', value="urgent")
        for field in ("full_name", "age"):
            me.check(f'[name="shared_fields"][value="{field}"]')
        me.select('[name="consent_given_by"]', value="person")
        page.screenshot(path=str(SCREENSHOTS / f"consent-{device}-{language}.png"), full_page=True)
        problems = _serious(Axe().run(page))
        assert problems == [], problems
        me.click(page.locator('form.page-form button[type="submit"]'))
        page.wait_for_url(re.compile(rf"/registry/cases/{case.pk}/$"))

        referral = Referral.objects.get()
        assert referral.shared_fields == ["age", "full_name"]
        assert referral.consent_scope == ["age", "full_name"]
        assert me.inputs == 6, str(me)
    finally:
        context.close()

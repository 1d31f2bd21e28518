"""The photo shared with a referral, on the receiving partner's page: shown with the shared
identifiers, on a desktop and a phone, in English and in Arabic; axe-core finds no violation.

Screenshots go to test-results/photo/ (or PHOTO_SCREENSHOTS), for a person to look at.
"""

import io
import random
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from cases.models import SharedField
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from partners.models import Sector, Service
from protection.demo.work.identity import avatar_placeholder
from tests import factories
from tests.browser.session import sign_in_as
from tests.browser.test_person_photo import SCREENSHOTS, VIEWPORTS
from tests.casework.conftest import consent, make_agreement, open_case, refer
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHARED = [SharedField.FULL_NAME, SharedField.PHOTO, SharedField.IDENTIFIERS]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_partner_sees_the_shared_photo(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    worker: Any = UserFactory(agency=agency, role="case_worker", username="worker")
    partner: Any = factories.AgencyFactory(name="Women's Health Partner", acronym="WHP")
    partner_worker = UserFactory(agency=partner, role="case_worker", username="partner")
    make_agreement(partner, agency)
    service = Service.objects.create(
        agency=partner, name="Medical care", sector=Sector.objects.get(code="gbv")
    )
    person = register_household(actor=worker, site=site).members[0]
    picture = avatar_placeholder(random.Random(5))
    person_photo_set(actor=worker, person=person, upload=io.BytesIO(picture))
    person_identifier_add(
        actor=worker,
        person=person,
        data=IdentifierData(kind="biometric", scheme="PRIMES BIMS", number="BIMS-3301"),
    )
    referral = refer(
        worker,
        open_case(worker, person),
        service,
        shared_fields=SHARED,
        consent=consent(scope=SHARED),
    )
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, partner_worker)
        page.goto(live_server.url + reverse("cases:referral_received_detail", args=[referral.pk]))
        image = page.locator("img.person-photo")
        assert image.evaluate("element => element.complete && element.naturalWidth") == 240
        assert "BIMS-3301" in page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"referral-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()

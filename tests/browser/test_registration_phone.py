"""A household of two registered on a phone (390x844) within the targets of the short form:
under 40 inputs touched and the whole page (the site's header, the form and the footer, as the
phone scrolls it) under 1,500 px tall; axe-core finds no serious fault on the form, in English and
in Arabic. The desktop test shows the duplicate warning next to its member. Screenshots go to
test-results/registration/ (or REGISTRATION_SCREENSHOTS), for a person to look at.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Household
from tests.browser.pages import screenshots_dir
from tests.browser.session import sign_in_as
from tests.browser.touches import Touches
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("registration", "REGISTRATION_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MAX_INPUTS = 40
MAX_HEIGHT = 1500


def _serious(results: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"critical", "serious"}
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_household_of_two_on_a_phone_within_the_targets(
    live_server: Any, browser: Any, agency: Any, site: Any, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/registry/households/register/")
        assert page.locator('[name="site"]').input_value() == str(site.pk)  # preselected
        me = Touches(page)

        me.fill('[name="address"]', "Block C, plot 14")
        me.select('[name="displacement_status"]', value="IDP")
        me.select('[name="consent_given_by"]', value="person")
        me.fill('[name="members-0-given_name"]', "Nyakuoth")
        me.fill('[name="members-0-family_name"]', "Gatluak")
        me.select('[name="members-0-sex"]', value="female")
        me.fill('[name="members-0-date_of_birth"]', "09/03/1988")
        me.pick("#id_members-0-specific_needs_search", "SP-PT")
        me.click(page.locator("[data-add-form]"))
        me.fill('[name="members-1-given_name"]', "Muhammad")
        me.fill('[name="members-1-family_name"]', "Gatluak")
        me.select('[name="members-1-sex"]', value="male")
        me.select('[name="members-1-relationship_to_head"]', value="child")
        me.fill('[name="members-1-estimated_age"]', "9")
        me.pick("#id_members-1-specific_needs_search", "SC-UC")

        chips = page.locator("#member-members-0 .chip")
        assert chips.count() == 1  # only the chosen need shows, not the 70 others
        height = me.height()
        page.screenshot(path=str(SCREENSHOTS / f"phone-{language}.png"), full_page=True)
        problems = _serious(Axe().run(page))
        assert problems == [], problems
        assert me.inputs < MAX_INPUTS, str(me)
        assert height < MAX_HEIGHT, f"the page is {height} px tall on a phone"

        me.click(page.locator('form.registration button[type="submit"]'))
        page.wait_for_url(re.compile(r"/registry/households/\d+/"))
        household = Household.objects.get()
        head, child = household.members.order_by("id")
        assert household.address == "Block C, plot 14"
        assert (head.consent_given_by, child.consent_given_by) == ("person", "caregiver")
        assert list(head.specific_needs.values_list("code", flat=True)) == ["SP-PT"]
        assert list(child.specific_needs.values_list("code", flat=True)) == ["SC-UC"]
        print(f"registration ({language}): {me}, page {height} px")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_form_on_a_desktop_with_a_duplicate_next_to_its_member(
    live_server: Any, browser: Any, agency: Any, site: Any, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")

    register_household(actor=officer, site=site)  # Amina Mohammed, born 1990-05-17
    context = browser.new_context(viewport=DESKTOP, locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/registry/households/register/")
        page.select_option('[name="displacement_status"]', value="IDP")
        page.select_option('[name="consent_given_by"]', value="person")
        page.fill('[name="members-0-given_name"]', "Amina")
        page.fill('[name="members-0-family_name"]', "Mohammed")
        page.select_option('[name="members-0-sex"]', value="female")
        page.fill('[name="members-0-date_of_birth"]', "17/05/1990")
        page.locator('form.registration button[type="submit"]').click()
        matches = page.locator("#member-members-0 .matches")
        matches.wait_for()
        page.screenshot(path=str(SCREENSHOTS / f"desktop-duplicate-{language}.png"), full_page=True)
        problems = _serious(Axe().run(page))
        assert problems == [], problems
        assert matches.get_by_role("link", name=re.compile("Amina")).count() == 1
        page.check('[name="members-0-confirm_not_duplicate"]')
        page.locator('form.registration button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/registry/households/\d+/"))
        assert Household.objects.count() == 2
    finally:
        context.close()


# Each required label's marker (the " *" of app.css) measured against the label's own words:
# the distance from the bottom of its last word to the bottom of the label's content box.
_MARKER_GAPS = """() => [...document.querySelectorAll('label.required, legend.required')]
  .filter(label => label.offsetParent !== null)
  .map(label => {
    const words = document.createRange();
    words.selectNodeContents(label);
    const lines = [...words.getClientRects()].filter(rect => rect.width > 0);
    const style = getComputedStyle(label);
    const box = label.getBoundingClientRect();
    const inner = parseFloat(style.paddingBottom) + parseFloat(style.borderBottomWidth);
    const last = Math.max(...lines.map(rect => rect.bottom));
    return {label: label.textContent.trim(), gap: box.bottom - inner - last};
  })"""


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_required_marker_stays_on_the_line_of_its_label_on_a_phone(
    live_server: Any, browser: Any, agency: Any, site: Any, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    context = browser.new_context(viewport=PHONE, locale=language)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/registry/households/register/")
        status = page.locator('label[for="id_displacement_status"]')
        status.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"phone-required-marker-{language}.png"))
        gaps = page.evaluate(_MARKER_GAPS)
        assert any(gap["label"] for gap in gaps)
        # A marker on a line of its own leaves a whole line (about 20 px) under the last word.
        alone = [gap for gap in gaps if gap["gap"] > 4]
        assert alone == [], alone
    finally:
        context.close()

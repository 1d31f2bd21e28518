"""Inputs touched and clicks for the six core tasks of an officer's day, in a real browser.

Register a household of two, find a member by a misspelled name, open a case for them, refer
the case, report a critical incident, and acknowledge its alert: each done the shortest way
the pages allow, counted by tests/browser/touches.py (an input filled, chosen or ticked is one
input; a button pressed or a link followed is one click; signing in is not counted). Run:

    python -m benchmarks.core_tasks        # or: pytest benchmarks/core_tasks.py -s ...

It drives the registration and referral forms as they are on the branch it runs from (the
forms before issue 13 had a consent block and the specific-needs checkboxes on every member,
and two ticks per item shared), so that the same file measures before and after.
"""

import datetime
import json
import os
import re
import sys
from typing import Any

import django
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
CONTROLS = "input:not([type=hidden]), select, textarea"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium, as the browser tests do (tests/browser/conftest.py)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _register(me: Any, base: str) -> dict[str, Any]:
    page = me.page
    me.click(page.locator('header a[href="/registry/households/register/"]'))
    page.wait_for_load_state()
    short_form = page.locator('select[name="consent_given_by"]').count() > 0
    if page.locator('[name="site"]').input_value() == "":
        me.select('[name="site"]', index=1)
    if short_form:
        me.select('[name="displacement_status"]', value="IDP")
        me.select('[name="consent_given_by"]', value="person")
    members = [
        ("Nyakuoth", "female", "head", "09/03/1988", "", "SP-PT", "person"),
        ("Muhammad", "male", "child", "", "9", "SC-UC", "caregiver"),
    ]
    for index, (given, sex, relation, born, age, need, consent_by) in enumerate(members):
        prefix = f"members-{index}-"
        if page.locator(f'[name="{prefix}given_name"]').count() == 0:
            me.click(page.locator("[data-add-form]"))
        me.fill(f'[name="{prefix}given_name"]', given)
        me.fill(f'[name="{prefix}family_name"]', "Gatluak")
        me.select(f'[name="{prefix}sex"]', value=sex)
        if page.locator(f'[name="{prefix}relationship_to_head"]').input_value() != relation:
            me.select(f'[name="{prefix}relationship_to_head"]', value=relation)
        if born:
            me.fill(f'[name="{prefix}date_of_birth"]', born)
        else:
            me.fill(f'[name="{prefix}estimated_age"]', age)
        if short_form:
            me.pick(f"#id_{prefix}specific_needs_search", need)
        else:
            me.select(f'[name="{prefix}displacement_status"]', value="IDP")
            me.select(f'[name="{prefix}consent_given_by"]', value=consent_by)
            category = need.split("-")[0]
            summaries = page.locator(f"#member-members-{index} details summary")
            me.click(summaries.filter(has_text=re.compile(rf"^{category} ")).first)
            me.check(f'[name="{prefix}specific_needs"][value="{need}"]')
    figures = {
        "controls on the page": page.locator(CONTROLS).count(),
        "controls in view": page.locator(f"{CONTROLS} >> visible=true").count(),
        "page height (px)": page.evaluate("document.documentElement.scrollHeight"),
    }
    me.click(page.locator('main form button[type="submit"]').last)
    page.wait_for_url(re.compile(r"/registry/households/\d+/$"))
    return figures


def _search(me: Any) -> None:
    page = me.page
    me.click(page.locator('header a[href="/registry/people/"]'))
    me.fill('[name="q"]', "Mohamad Gatluak")
    page.press('[name="q"]', "Enter")
    page.wait_for_url(re.compile(r"q=Mohamad"))
    me.click(page.get_by_role("link", name=re.compile("Muhammad")).first)
    page.wait_for_url(re.compile(r"/registry/people/\d+/$"))


def _open_case(me: Any) -> None:
    page = me.page
    me.click(page.locator("main a", has_text="Open a protection case").first)
    me.select('[name="case_type"]', value="general_protection")
    me.select('[name="risk_level"]', value="medium")
    me.fill('[name="summary"]', "Threatened at the water point.")
    me.click(page.locator('main form button[type="submit"]').last)
    page.wait_for_url(re.compile(r"/registry/cases/\d+/$"))


def _refer(me: Any, service: Any) -> dict[str, Any]:
    page = me.page
    me.click(page.locator('main a[href$="/refer/"]').first)
    me.select('[name="service"]', value=str(service.pk))
    me.fill('[name="reason"]', "Needs clinical care within 72 hours.")
    me.select('[name="urgency"]', value="urgent")
    for field in ("full_name", "age"):
        me.check(f'[name="shared_fields"][value="{field}"]')
        if page.locator('[name="consent_scope"]').count():  # the form before: two ticks
            me.check(f'[name="consent_scope"][value="{field}"]')
    me.select('[name="consent_given_by"]', value="person")
    figures = {
        "controls on the page": page.locator(CONTROLS).count(),
        "controls in view": page.locator(f"{CONTROLS} >> visible=true").count(),
    }
    me.click(page.locator('main form.page-form button[type="submit"]').last)
    page.wait_for_url(re.compile(r"/registry/cases/\d+/$"))
    return figures


def _report(me: Any, site: Any) -> None:
    page = me.page
    me.click(page.locator('header a[href="/incidents/report/"]'))
    me.select('[name="incident_type"]', label="Attack on a camp or civilians")
    me.check('[name="severity"][value="4"]')
    if page.locator('[name="site"]').input_value() != str(site.pk):
        me.select('[name="site"]', value=str(site.pk))
    me.fill('[name="description"]', "Armed men fired into the site from the north gate.")
    me.fill('[name="male_adults"]', "4")
    me.select('[name="perpetrator_category"]', label="Non-state armed group")
    me.select('[name="source"]', label="Direct observation by staff")
    me.click(page.locator('main form button[type="submit"]').last)
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))


def _acknowledge(me: Any) -> None:
    page = me.page
    me.click(page.locator('header a[href="/incidents/alerts/"]'))
    me.click(page.locator('main a[href*="/incidents/alerts/"]').first)
    page.wait_for_url(re.compile(r"/incidents/alerts/\d+/$"))
    me.click(page.locator('form[action$="/acknowledge/"] button[type="submit"]'))
    page.wait_for_load_state()


def test_core_tasks(live_server: Any, browser: Any, agency: Any, other_agency: Any) -> None:
    from django.utils import timezone

    from incidents.models import Alert
    from partners.models import DataCategory, DataSharingAgreement, Sector, Service, SharingPurpose
    from tests.browser.session import sign_in_as
    from tests.browser.touches import Touches
    from tests.factories import SiteFactory, UserFactory
    from tests.incidents.conftest import make_policy

    site = SiteFactory(managing_agency=agency, name="Malakal PoC", code="MAL-POC")
    SiteFactory(managing_agency=agency, name="Bentiu PoC", code="BEN-POC")
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    worker = UserFactory(agency=agency, role="case_worker", username="worker")
    duty = UserFactory(agency=agency, role="protection_officer", username="duty")
    make_policy(tiers=[{"users": [duty], "in_app": True}], minimum_severity=4)
    service = Service.objects.create(
        agency=other_agency, name="Clinical care", sector=Sector.objects.get(code="gbv")
    )
    today = timezone.localdate()
    DataSharingAgreement.objects.create(
        agency_one=agency,
        agency_two=other_agency,
        purposes=[SharingPurpose.REFERRAL],
        data_categories=list(DataCategory.values),
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today + datetime.timedelta(days=365),
    )
    context = browser.new_context(viewport=PHONE, locale="en")
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    rows: dict[str, Any] = {}
    tasks = [
        ("register two", officer, lambda me: _register(me, base)),
        ("search a misspelled name", worker, _search),
        ("open a case", worker, _open_case),
        ("refer", worker, lambda me: _refer(me, service)),
        ("report a critical incident", officer, lambda me: _report(me, site)),
        ("acknowledge its alert", duty, _acknowledge),
    ]
    try:
        current = None
        for name, user, task in tasks:
            if user is not current:
                sign_in_as(page, base, user)
                page.goto(f"{base}/dashboard/")
                current = user
            me = Touches(page)
            extra = task(me) or {}
            rows[name] = {"inputs touched": me.inputs, "clicks": me.clicks, **extra}
        assert Alert.objects.get().status == "acknowledged"
    finally:
        context.close()
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    # tests/conftest.py (the fixtures) imports models: Django is set up before pytest loads it.
    os.environ["DJANGO_SETTINGS_MODULE"] = "protection.settings.test"
    django.setup()
    sys.exit(
        pytest.main(
            [
                __file__,
                "-s",
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "tests.conftest",
                "--rootdir",
                ".",
            ]
        )
    )

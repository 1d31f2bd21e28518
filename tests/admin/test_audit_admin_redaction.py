"""An agency admin reads the audit trail of a confidential GBV case: names of fields, no words."""

import html
from typing import Any

import pytest
from django.urls import reverse

from cases.casework import plan, services
from cases.models import CaseStatus
from protection.audit import access_log_record
from protection.models import AuditEvent
from tests.casework.conftest import advance, make_user
from tests.factories import register_household

pytestmark = pytest.mark.django_db

SECRETS = (
    "Raped near the latrines of block C.",
    "She asked us never to phone her.",
    "Threats from her husband's brother.",
    "Sleeps at her sister's tent.",
    "Wants to leave the camp.",
    "Bruises on her arms.",
    "Now threatened by the husband too.",
)


@pytest.fixture
def gbv_case_events(agency: Any, officer: Any, site: Any) -> tuple[Any, Any]:
    """A confidential GBV case worked through the services; return (case, person)."""
    person = register_household(
        actor=officer, site=site, address="Block C, plot 12", members=[{"phone": "+211 977"}]
    ).members[0]
    worker = make_user(agency, "case_worker", "gbv_worker")
    case = services.case_open(
        actor=worker, person=person, case_type="gbv", risk_level="high", summary=SECRETS[0]
    )
    services.case_note_add(actor=worker, case=case, text=SECRETS[1])
    case = services.case_transition(actor=worker, case=case, status="assessment")
    plan.assessment_record(
        actor=worker,
        case=case,
        risks_identified=SECRETS[2],
        safety_plan=SECRETS[3],
        wishes=SECRETS[4],
        immediate_safety_concern=True,
    )
    case = advance(worker, case, CaseStatus.IMPLEMENTATION)
    plan.follow_up_record(actor=worker, case=case, contact_type="home_visit", notes=SECRETS[5])
    services.case_update(actor=worker, case=case, summary=SECRETS[6], risk_level="critical")
    access_log_record(user=worker, objects=[person])
    return case, person


def _forbidden(person: Any) -> list[str]:
    texts = [*SECRETS, person.given_name, person.family_name, "Block C", "+211 977"]
    return texts + [html.escape(text) for text in texts]


def test_the_agency_admin_finds_no_narrative_or_name_in_the_audit_pages(
    client: Any, agency_admin: Any, gbv_case_events: tuple[Any, Any]
) -> None:
    case, person = gbv_case_events
    client.force_login(agency_admin)
    events = AuditEvent.objects.filter(agency_id=agency_admin.agency_id)
    case_events = events.filter(object_type="cases.protectioncase", object_id=str(case.pk))
    assert case_events.count() == 9

    pages = [
        client.get(reverse("admin:protection_auditevent_changelist")),
        client.get(reverse("admin:protection_auditevent_changelist"), {"q": str(case.pk)}),
        client.get(reverse("admin:protection_accesslog_changelist")),
    ]
    pages += [
        client.get(reverse("admin:protection_auditevent_change", args=[event.pk]))
        for event in events
    ]

    assert {page.status_code for page in pages} == {200}
    for page in pages:
        text = page.content.decode()
        leaks = [word for word in _forbidden(person) if word in text]
        assert not leaks, (page.request["PATH_INFO"], leaks)
    update = client.get(
        reverse(
            "admin:protection_auditevent_change",
            args=[case_events.get(action="case.update").pk],
        )
    ).content.decode()
    # What changed is there: the names of the fields, safe values, the case's code.
    assert "<code>summary</code>: (value withheld) → (value withheld)" in update
    assert "<code>risk_level</code>: high → critical" in update
    assert case.case_number in update
    note = client.get(
        reverse(
            "admin:protection_auditevent_change",
            args=[case_events.get(action="case.note_add").pk],
        )
    ).content.decode()
    assert "<code>text</code>: (value withheld)" in note

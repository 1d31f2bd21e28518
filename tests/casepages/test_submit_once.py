"""Casework forms save once: a double click or a form sent again after a timeout carries the
same one-time token, saves nothing more, and is taken to what the first submission saved."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseNote, CaseStatus, ProtectionCase, Referral, ReferralStatus
from protection.models import AuditEvent
from tests.casepages.conftest import body
from tests.casework.conftest import advance, refer
from tests.rows import changed_counts, row_counts, submission_tokens

pytestmark = pytest.mark.django_db


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _twice(client: Any, page: str, data: dict[str, Any], *, action: str | None = None) -> Any:
    """Open the page, send its form twice with the token it carries; check the second sent
    nothing and went where the first did; return the first answer."""
    tokens = submission_tokens(client.get(page))
    assert tokens, f"{page} has no one-time token"
    sent = {**data, "submission_token": tokens[-1]}
    first = client.post(action or page, sent)
    assert first.status_code == 302, body(first)
    before = row_counts()
    second = client.post(action or page, sent, follow=True)
    assert not changed_counts(before)
    assert second.redirect_chain[0][0] == first["Location"]
    assert "This form had already been sent; here is what it saved." in body(second)
    return first


def test_opening_a_case_twice_opens_one(worker_client, person) -> None:
    data = {
        "case_type": "child_protection",
        "risk_level": "high",
        "summary": "Works at the market instead of school.",
        "confidential": "",
        "assigned_to": "",
        "opened_on": _today(),
    }
    first = _twice(worker_client, reverse("cases:case_open", args=[person.pk]), data)
    case = ProtectionCase.objects.get()
    assert first["Location"] == reverse("cases:case_detail", args=[case.pk])


@pytest.mark.parametrize(
    ("name", "data", "status"),
    # Dates as days from today, made into dates when the test runs.
    [
        ("case_note", {"text": "Called her brother."}, CaseStatus.REGISTERED),
        (
            "case_follow_up",
            {
                "followed_up_on": 0,
                "contact_type": "home_visit",
                "notes": "Visited.",
                "next_follow_up_on": 14,
            },
            CaseStatus.IMPLEMENTATION,
        ),
        (
            "case_assessment",
            {"assessed_on": 0, "risks_identified": "Threats.", "specific_needs": []},
            CaseStatus.ASSESSMENT,
        ),
        (
            "case_action_add",
            {"description": "Replace her ration card.", "due_on": 5},
            CaseStatus.CASE_PLAN,
        ),
        ("case_close", {"reason": "needs_met", "durable_solution": "", "note": ""}, "follow_up"),
    ],
)
def test_a_case_form_sent_twice_saves_once(worker_client, worker, case, name, data, status):
    advance(worker, case, status)
    data = {k: _today(v) if k.endswith("_on") else v for k, v in data.items()}
    if name == "case_action_add":
        data["responsible_user"] = worker.pk
    events = AuditEvent.objects.count()

    first = _twice(worker_client, reverse(f"cases:{name}", args=[case.pk]), data)

    assert first["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert AuditEvent.objects.count() > events  # The first did save.


def test_the_note_form_on_the_case_page_carries_its_own_token(worker_client, case) -> None:
    page = reverse("cases:case_detail", args=[case.pk])
    _twice(
        worker_client,
        page,
        {"text": "Met her sister."},
        action=reverse("cases:case_note", args=[case.pk]),
    )
    assert CaseNote.objects.filter(case=case).count() == 1


def test_a_referral_sent_twice_is_made_once(worker_client, case, service, agreement) -> None:
    data = {
        "service": service.pk,
        "reason": "Needs clinical care within 72 hours.",
        "urgency": "urgent",
        "shared_fields": ["full_name", "age"],
        "basis": "consent",
        "consent_given_by": "person",
        "consent_date": _today(),
        "consent_scope": ["full_name", "age"],
        "override_reason": "",
        "override_justification": "",
    }
    _twice(worker_client, reverse("cases:case_refer", args=[case.pk]), data)
    assert Referral.objects.filter(case=case).count() == 1


def test_the_partner_answers_a_referral_once_per_click(
    partner_client, worker, case, service, agreement
) -> None:
    referral = refer(worker, case, service)
    page = reverse("cases:referral_received_detail", args=[referral.pk])
    tokens = submission_tokens(partner_client.get(page))
    assert len(tokens) == 2  # accept, decline (complete comes once accepted)

    _twice(partner_client, page, {}, action=reverse("cases:referral_accept", args=[referral.pk]))
    _twice(
        partner_client,
        page,
        {"outcome": "Treated at the clinic."},
        action=reverse("cases:referral_complete", args=[referral.pk]),
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED


def test_the_same_token_with_other_values_saves_nothing_and_says_so(worker_client, case) -> None:
    url = reverse("cases:case_note", args=[case.pk])
    token = submission_tokens(worker_client.get(url))[0]
    worker_client.post(url, {"text": "First words.", "submission_token": token})
    before = row_counts()

    again = worker_client.post(
        url, {"text": "Second words.", "submission_token": token}, follow=True
    )

    assert not changed_counts(before)
    assert "the changes made before sending it again were not saved" in body(again)
    assert list(CaseNote.objects.values_list("text", flat=True)) == ["First words."]


def test_a_refused_form_keeps_its_token_free_for_the_corrected_one(worker_client, case) -> None:
    url = reverse("cases:case_note", args=[case.pk])
    token = submission_tokens(worker_client.get(url))[0]

    refused = worker_client.post(url, {"text": "  ", "submission_token": token})
    saved = worker_client.post(url, {"text": "Corrected.", "submission_token": token})

    assert "Nothing was saved." in body(refused)
    assert saved.status_code == 302
    assert CaseNote.objects.get().text == "Corrected."


def test_each_rendering_carries_a_new_token_and_a_form_without_one_saves_as_before(
    worker_client, case
) -> None:
    url = reverse("cases:case_note", args=[case.pk])
    assert submission_tokens(worker_client.get(url)) != submission_tokens(worker_client.get(url))

    for _ in range(2):
        assert worker_client.post(url, {"text": "No token."}).status_code == 302

    assert CaseNote.objects.count() == 2

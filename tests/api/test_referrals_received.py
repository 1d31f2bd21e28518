"""The receiving side of referrals over the API: a partner's inbox, what it sees, its answers."""

import datetime
import json

import pytest
from django.utils import timezone

from cases.casework.referral_answers import referral_cancel
from cases.models import Referral, ReferralStatus
from protection.models import AccessLog
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import advance, consent, open_case, refer

pytestmark = pytest.mark.django_db

# Everything the receiving agency is told about a referral; nothing else may appear.
INBOX_KEYS = {
    "id",
    "code",
    "service",
    "service_name",
    "from_agency",
    "reason",
    "urgency",
    "status",
    "consent_basis",
    "sent_at",
    "response_due_at",
    "overdue",
    "responded_at",
    "decline_reason",
    "completed_at",
    "outcome",
    "cancelled_at",
    "cancel_reason",
}
DETAIL_KEYS = INBOX_KEYS | {"shared", "shared_data", "photo_url"}


@pytest.fixture
def referral(worker, case, service, agreement) -> Referral:
    """Name, age and phone shared; date of birth, nationality and the case are not."""
    advance(worker, case, "assessment")
    return refer(worker, case, service)


def test_the_partner_sees_only_what_was_shared(
    partner_api, partner_user, referral, case, person
) -> None:
    response = partner_api.get(f"/api/v1/referrals/received/{referral.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["photo_url"] is None  # the photo was not shared
    assert set(body["shared_data"]) == {"full_name", "age", "phone"}
    assert body["shared_data"]["full_name"] == person.full_name
    assert [item["field"] for item in body["shared"]] == ["full_name", "age", "phone"]
    assert body["from_agency"] == "MPU"
    text = json.dumps(body)
    for secret in (
        case.case_number,
        case.summary,
        person.registration_number,
        person.date_of_birth.isoformat(),
        "SSD",
        "IDP",
        "general_protection",
        "medium",
    ):
        assert secret not in text
    assert AccessLog.objects.filter(
        user=partner_user, object_type="cases.referral", object_id=str(referral.pk)
    ).exists()


def test_the_inbox_lists_the_referrals_without_shared_data(
    partner_api, referral, worker, person, service
) -> None:
    other = refer(worker, open_case(worker, person), service, urgency="emergency")
    Referral.objects.filter(pk=referral.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )

    def ids(**params) -> list[int]:
        response = partner_api.get("/api/v1/referrals/received/", params)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert all(set(row) == INBOX_KEYS for row in rows)
        return [row["id"] for row in rows]

    assert ids() == [other.pk, referral.pk]
    assert ids(urgency="emergency") == [other.pk]
    assert ids(overdue="true") == [referral.pk]
    assert ids(status="pending", sector="gbv") == [other.pk, referral.pk]
    assert ids(status="completed") == []
    assert ids(page_size=1) == [other.pk]


def test_a_bad_inbox_filter_answers_400(partner_api, referral) -> None:
    response = partner_api.get("/api/v1/referrals/received/", {"status": "lost"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_accept_then_complete(partner_api, worker_api, referral) -> None:
    path = f"/api/v1/referrals/received/{referral.pk}"

    early = partner_api.post(f"{path}/complete/", {"outcome": "Treated."}, format="json")
    accepted = partner_api.post(f"{path}/accept/")
    again = partner_api.post(f"{path}/accept/")
    no_outcome = partner_api.post(f"{path}/complete/", {"outcome": ""}, format="json")
    completed = partner_api.post(
        f"{path}/complete/", {"outcome": "Treated; follow-up in 2 weeks."}, format="json"
    )

    assert early.status_code == 400
    assert "Only an accepted referral" in early.json()["status"][0]
    assert accepted.status_code == 200
    assert set(accepted.json()) == DETAIL_KEYS
    assert accepted.json()["status"] == "accepted"
    assert again.status_code == 400
    assert no_outcome.status_code == 400
    assert "outcome" in no_outcome.json()
    assert completed.status_code == 200
    assert completed.json()["outcome"] == "Treated; follow-up in 2 weeks."
    # The referring side sees the answer, in the referral and in the case's timeline.
    sent = worker_api.get(f"/api/v1/referrals/sent/{referral.pk}/").json()
    assert (sent["status"], sent["outcome"]) == ("completed", "Treated; follow-up in 2 weeks.")
    timeline = worker_api.get(f"/api/v1/cases/{referral.case_id}/timeline/").json()
    actions = [entry["action"] for entry in timeline]
    assert actions[-2:] == ["case.referral_accept", "case.referral_complete"]


def test_decline_with_a_reason(partner_api, referral) -> None:
    path = f"/api/v1/referrals/received/{referral.pk}/decline/"

    no_reason = partner_api.post(path, {"reason": "  "}, format="json")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING

    declined = partner_api.post(path, {"reason": "No female doctor this week."}, format="json")

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "No female doctor this week."


@pytest.mark.parametrize("role", ["case_worker", "supervisor", "protection_officer"])
def test_the_partners_staff_answer_too(partner_client, referral, role) -> None:
    response = partner_client(role).post(f"/api/v1/referrals/received/{referral.pk}/accept/")

    assert response.status_code == 200


def test_a_partner_analyst_may_not_answer(partner_client, referral) -> None:
    api = partner_client("analyst")

    assert api.get("/api/v1/referrals/received/").status_code == 403
    assert api.post(f"/api/v1/referrals/received/{referral.pk}/accept/").status_code == 403


def test_only_the_receiving_agency_has_the_referral(
    client_for, other_officer, worker_api, referral
) -> None:
    for api in (client_for(other_officer), worker_api):
        assert api.get(f"/api/v1/referrals/received/{referral.pk}/").status_code == 404
        assert api.post(f"/api/v1/referrals/received/{referral.pk}/accept/").status_code == 404
        decline = api.post(
            f"/api/v1/referrals/received/{referral.pk}/decline/", {"reason": "x"}, format="json"
        )
        assert decline.status_code == 404
        assert api.get("/api/v1/referrals/received/").json()["results"] == []
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_the_partner_has_no_access_to_the_case(partner_api, referral) -> None:
    assert partner_api.get(f"/api/v1/cases/{referral.case_id}/").status_code == 403
    assert partner_api.get(f"/api/v1/referrals/sent/{referral.pk}/").status_code == 403
    assert partner_api.get("/api/v1/cases/").status_code == 403


def test_a_referral_of_a_confidential_case_reaches_the_partner(
    worker, partner_api, confidential_case, service, agreement
) -> None:
    referral = refer(
        worker,
        confidential_case,
        service,
        shared_fields=["age", "sex"],
        consent=consent(scope=["age", "sex"]),
    )

    body = partner_api.get(f"/api/v1/referrals/received/{referral.pk}/").json()

    assert set(body["shared_data"]) == {"age", "sex"}
    assert partner_api.get(f"/api/v1/cases/{confidential_case.pk}/").status_code == 403


def test_a_cancelled_referral_cannot_be_answered(worker, partner_api, referral) -> None:
    referral_cancel(actor=worker, referral=referral, reason="Moved away.")

    shown = partner_api.get(f"/api/v1/referrals/received/{referral.pk}/")
    accept = partner_api.post(f"/api/v1/referrals/received/{referral.pk}/accept/")

    assert shown.json()["status"] == "cancelled"
    assert shown.json()["cancel_reason"] == "Moved away."
    assert accept.status_code == 400

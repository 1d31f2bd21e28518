"""The referring side of referrals over the API: consent, agreements, overrides, cancelling."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseApproval, Referral, ReferralStatus
from protection.models import AccessLog, AuditEvent
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import make_agreement, make_user, open_case, refer

pytestmark = pytest.mark.django_db


def payload(case, service, **overrides) -> dict:
    """A referral with the person's consent, sharing name, age and phone."""
    values = {
        "case": case.pk,
        "service": service.pk,
        "reason": "Needs medical care within 72 hours.",
        "urgency": "urgent",
        "shared_fields": ["full_name", "age", "phone"],
        "consent_basis": "consent",
        "consent_given_by": "person",
        "consent_date": timezone.localdate().isoformat(),
        "consent_scope": ["full_name", "age", "phone", "sex"],
    }
    values.update(overrides)
    return values


def _nothing_written() -> None:
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action="case.referral_create").exists()


def test_refer_a_case_with_consent(worker, worker_api, case, service, agreement, person) -> None:
    response = worker_api.post("/api/v1/referrals/sent/", payload(case, service), format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["case_number"] == case.case_number
    assert body["to_agency"] == service.agency_id
    assert body["consent_obtained_by"] == worker.pk
    assert body["shared_fields"] == ["age", "full_name", "phone"]
    assert body["shared_data"]["full_name"] == person.full_name
    assert body["shared_data"]["phone"] == person.phone
    sent = datetime.datetime.fromisoformat(body["sent_at"])
    due = datetime.datetime.fromisoformat(body["response_due_at"])
    assert due - sent == datetime.timedelta(hours=72)
    assert AuditEvent.objects.filter(action="case.referral_create").count() == 1


def test_no_consent_no_referral(worker_api, case, service, agreement) -> None:
    body = payload(case, service)
    for name in ("consent_basis", "consent_given_by", "consent_date", "consent_scope"):
        body.pop(name)

    response = worker_api.post("/api/v1/referrals/sent/", body, format="json")

    assert response.status_code == 400
    assert "Record the consent" in response.json()["consent_basis"][0]
    _nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent_scope": ["full_name"]}, "shared_fields", "does not cover"),
        ({"consent_date": None}, "consent_date", "required"),
        ({"consent_given_by": ""}, "consent_given_by", "required"),
        ({"consent_date": "2999-01-01"}, "consent_date", "future"),
        ({"override_reason": "vital_interest"}, "override_reason", "not both"),
        ({"shared_fields": ["shoe_size"]}, "shared_fields", "not a valid choice"),
        ({"urgency": "whenever"}, "urgency", "not a valid choice"),
        ({"reason": " "}, "reason", ""),
    ],
)
def test_a_bad_referral_writes_nothing(
    worker_api, case, service, agreement, overrides, field, message
) -> None:
    response = worker_api.post(
        "/api/v1/referrals/sent/", payload(case, service, **overrides), format="json"
    )

    assert response.status_code == 400
    assert message in str(response.json()[field])
    _nothing_written()


def test_no_agreement_no_personal_data(worker_api, case, service) -> None:
    response = worker_api.post("/api/v1/referrals/sent/", payload(case, service), format="json")

    assert response.status_code == 400
    message = response.json()["shared_fields"][0]
    assert "No active data-sharing agreement" in message
    assert "nothing was sent" in message
    _nothing_written()


@pytest.mark.parametrize(
    "terms",
    [
        {"active": False},
        {"valid_to": datetime.date(2020, 1, 1), "valid_from": datetime.date(2019, 1, 1)},
        {"purposes": ["statistics"]},
        {"data_categories": ["identity"]},  # Phone is contact data.
    ],
)
def test_an_agreement_must_be_in_force_and_cover_the_data(
    worker_api, case, service, agency, partner, terms
) -> None:
    make_agreement(agency, partner, **terms)

    response = worker_api.post("/api/v1/referrals/sent/", payload(case, service), format="json")

    assert response.status_code == 400
    assert "No active data-sharing agreement" in response.json()["shared_fields"][0]
    _nothing_written()


def test_a_referral_without_personal_data_needs_no_agreement(worker_api, case, service) -> None:
    response = worker_api.post(
        "/api/v1/referrals/sent/",
        payload(case, service, shared_fields=[], consent_scope=[]),
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["shared_data"] == {}


def test_a_service_not_accepting_referrals_is_refused(worker_api, case, service, agreement) -> None:
    service.accepting_referrals = False
    service.save(update_fields=["accepting_referrals"])

    response = worker_api.post("/api/v1/referrals/sent/", payload(case, service), format="json")

    assert response.status_code == 400
    assert "not accepting referrals" in response.json()["service"][0]
    _nothing_written()


def test_a_case_of_another_agency_cannot_be_referred(
    client_for, other_officer, case, service, agreement
) -> None:
    response = client_for(other_officer).post(
        "/api/v1/referrals/sent/", payload(case, service), format="json"
    )

    assert response.status_code == 400
    assert "Invalid pk" in response.json()["case"][0]
    _nothing_written()


def _override(case, service, **extra) -> dict:
    body = payload(
        case,
        service,
        consent_basis="override",
        override_reason="vital_interest",
        override_justification="Unconscious; bleeding.",
        **extra,
    )
    for name in ("consent_given_by", "consent_date", "consent_scope"):
        body.pop(name)
    return body


def test_an_override_waits_for_a_supervisor(
    worker_api, supervisor_api, partner_api, case, service, agreement
) -> None:
    made = worker_api.post("/api/v1/referrals/sent/", _override(case, service), format="json")

    assert made.status_code == 201
    referral = made.json()
    assert referral["status"] == "awaiting_approval"
    assert referral["sent_at"] is None
    assert referral["shared_data"] == {}
    assert partner_api.get(f"/api/v1/referrals/received/{referral['id']}/").status_code == 404

    [approval] = supervisor_api.get("/api/v1/approvals/", {"kind": "consent_override"}).json()[
        "results"
    ]
    assert approval["referral"] == referral["id"]
    approved = supervisor_api.post(f"/api/v1/approvals/{approval['id']}/approve/")

    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    shown = worker_api.get(f"/api/v1/referrals/sent/{referral['id']}/").json()
    assert shown["status"] == "pending"
    assert shown["override_approved_by"] is not None
    assert partner_api.get(f"/api/v1/referrals/received/{referral['id']}/").status_code == 200


def test_a_rejected_override_cancels_the_referral(
    worker_api, supervisor_api, case, service, agreement
) -> None:
    made = worker_api.post("/api/v1/referrals/sent/", _override(case, service), format="json")
    approval = CaseApproval.objects.get()

    rejected = supervisor_api.post(
        f"/api/v1/approvals/{approval.pk}/reject/",
        {"reason": "Her sister can consent for her tomorrow."},
        format="json",
    )

    assert rejected.status_code == 200
    referral = Referral.objects.get(pk=made.json()["id"])
    assert referral.status == ReferralStatus.CANCELLED
    assert referral.sent_at is None


def test_a_supervisors_override_is_sent_at_once(supervisor_api, case, service, agreement) -> None:
    made = supervisor_api.post("/api/v1/referrals/sent/", _override(case, service), format="json")

    assert made.status_code == 201
    assert made.json()["status"] == "pending"


def test_best_interests_of_a_child_only_for_a_child(worker_api, case, service, agreement) -> None:
    body = _override(case, service)
    body["override_reason"] = "best_interests_child"

    response = worker_api.post("/api/v1/referrals/sent/", body, format="json")

    assert response.status_code == 400
    assert "only to children" in response.json()["override_reason"][0]
    _nothing_written()


def test_list_and_filter_the_referrals_made(worker, worker_api, person, service, agreement) -> None:
    first = refer(worker, open_case(worker, person), service)
    second = refer(worker, open_case(worker, person), service, urgency="emergency")
    Referral.objects.filter(pk=first.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )

    def ids(**params) -> list[int]:
        response = worker_api.get("/api/v1/referrals/sent/", params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [second.pk, first.pk]
    assert ids(urgency="emergency") == [second.pk]
    assert ids(overdue="true") == [first.pk]
    assert ids(code=first.code.lower()) == [first.pk]
    assert ids(status="accepted") == []
    rows = worker_api.get("/api/v1/referrals/sent/").json()["results"]
    assert rows[1]["overdue"] is True
    assert "shared_data" not in rows[0]


def test_showing_a_referral_logs_the_read(worker, worker_api, case, person, service, agreement):
    referral = refer(worker, case, service)

    response = worker_api.get(f"/api/v1/referrals/sent/{referral.pk}/")

    assert response.status_code == 200
    assert response.json()["consent_scope"] == ["age", "full_name", "phone", "sex"]
    assert AccessLog.objects.filter(
        user=worker, object_type="cases.displacedperson", object_id=str(person.pk)
    ).exists()


def test_cancel_a_referral(worker, worker_api, case, service, agreement) -> None:
    referral = refer(worker, case, service)
    path = f"/api/v1/referrals/sent/{referral.pk}/cancel/"

    no_reason = worker_api.post(path, {}, format="json")
    cancelled = worker_api.post(path, {"reason": "She went to the clinic herself."}, format="json")
    again = worker_api.post(path, {"reason": "Twice."}, format="json")

    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "She went to the clinic herself."
    assert again.status_code == 400
    assert "already finished" in again.json()["status"][0]


def test_another_agency_gets_404(worker, client_for, other_officer, case, service, agreement):
    referral = refer(worker, case, service)
    api = client_for(other_officer)

    assert api.get(f"/api/v1/referrals/sent/{referral.pk}/").status_code == 404
    cancel = api.post(
        f"/api/v1/referrals/sent/{referral.pk}/cancel/", {"reason": "x"}, format="json"
    )
    assert cancel.status_code == 404
    assert api.get("/api/v1/referrals/sent/").json()["results"] == []
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_a_colleague_does_not_see_a_confidential_cases_referrals(
    worker, agency, client_for, confidential_case, service, agreement
) -> None:
    referral = refer(worker, confidential_case, service)
    api = client_for(make_user(agency, "case_worker", "colleague"))

    assert api.get(f"/api/v1/referrals/sent/{referral.pk}/").status_code == 404
    assert api.get("/api/v1/referrals/sent/").json()["results"] == []

"""Who sees a case: the confidentiality matrix across roles, agencies and a referral's partner.

Admins configure the system and do no casework, so the policy shows them no case files.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.casework import handover, selectors, services, timeline
from tests.casework.conftest import make_user, open_case, refer

VIEWERS = [
    "worker",
    "supervisor",
    "colleague",
    "officer",
    "other_officer",
    "partner_worker",
    "admin",
    "analyst",
]
CONFIDENTIAL_VISIBLE = {"worker", "supervisor"}
OPEN_VISIBLE = {"worker", "supervisor", "colleague", "officer"}


@pytest.fixture
def viewers(worker, supervisor, colleague, officer, other_officer, partner_worker, agency) -> dict:
    return {
        "worker": worker,
        "supervisor": supervisor,
        "colleague": colleague,
        "officer": officer,
        "other_officer": other_officer,
        "partner_worker": partner_worker,
        "admin": make_user(agency, "admin", "agency_admin"),
        "analyst": make_user(agency, "analyst", "agency_analyst"),
    }


@pytest.fixture
def referred_cases(worker, person, service, agreement):
    """A confidential GBV case and an open general case, both referred to the partner."""
    confidential = open_case(worker, person, case_type="gbv", risk_level="high")
    general = open_case(worker, person)
    return {
        "confidential": (confidential, refer(worker, confidential, service)),
        "general": (general, refer(worker, general, service)),
    }


@pytest.mark.parametrize("kind", ["confidential", "general"])
@pytest.mark.parametrize("who", VIEWERS)
def test_the_confidentiality_matrix(viewers, referred_cases, kind, who) -> None:
    user = viewers[who]
    case, referral = referred_cases[kind]
    visible = who in (CONFIDENTIAL_VISIBLE if kind == "confidential" else OPEN_VISIBLE)

    assert (case in selectors.case_list(user=user)) is visible
    assert (referral in selectors.referral_sent_list(user=user)) is visible
    if visible:
        assert selectors.case_get(user=user, pk=case.pk) == case
        assert timeline.case_timeline(user=user, case=case)
    else:
        with pytest.raises(Http404):
            selectors.case_get(user=user, pk=case.pk)
        with pytest.raises(Http404):
            timeline.case_timeline(user=user, case=case)
        with pytest.raises(Http404):
            selectors.referral_sent_get(user=user, pk=referral.pk)
        with pytest.raises(PermissionDenied):
            services.case_note_add(actor=user, case=case, text="Peeking.")

    # Only the receiving agency has the referral in its inbox, whatever the case.
    assert (referral in selectors.referral_inbox(user=user)) is (who == "partner_worker")


def test_a_confidential_case_follows_its_case_worker(
    supervisor, worker, colleague, confidential_case
) -> None:
    handover.case_reassign(
        actor=supervisor, case=confidential_case, assigned_to=colleague, reason="Leave."
    )
    assert confidential_case in selectors.case_list(user=colleague)
    assert confidential_case not in selectors.case_list(user=worker)


def test_a_deactivated_user_or_agency_sees_nothing(worker, agency, case) -> None:
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    assert not selectors.case_list(user=worker).exists()
    worker.is_active = True
    worker.save(update_fields=["is_active"])
    agency.active = False
    agency.save(update_fields=["active"])
    worker.refresh_from_db()
    assert not selectors.case_list(user=worker).exists()

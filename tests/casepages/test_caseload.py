"""My caseload: scope by role, filters, flags of what is late, counts, keyset pages, budget."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseAction, CaseFollowUp, Referral
from protection.models import AccessLog, AccessPurpose
from tests import factories
from tests.casepages.conftest import body
from tests.casework.conftest import advance, open_case, refer
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

URL = "/registry/cases/"


def _late_action(worker, case):
    """Give the case an open plan action that was due two days ago."""
    advance(worker, case, "implementation")
    CaseAction.objects.filter(case=case).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )


def _late_follow_up(worker, case):
    """Give the case a follow-up whose next contact was due three days ago."""
    advance(worker, case, "follow_up")
    today = timezone.localdate()
    CaseFollowUp.objects.create(
        case=case,
        followed_up_on=today - datetime.timedelta(days=10),
        contact_type="home_visit",
        notes="Visited.",
        next_follow_up_on=today - datetime.timedelta(days=3),
        recorded_by=worker,
    )


def _late_referral(worker, case, service):
    referral = refer(worker, case, service)
    Referral.objects.filter(pk=referral.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_the_url_is_the_caseload():
    assert reverse("cases:case_list") == URL


def test_a_worker_sees_the_cases_assigned_to_them_and_each_row_is_logged(
    worker_client, worker, colleague, person, child, case, other_case
):
    theirs = open_case(colleague, child)

    response = worker_client.get(URL)

    page = body(response)
    assert response.status_code == 200
    assert case.case_number in page
    assert theirs.case_number not in page
    assert other_case.case_number not in page
    assert response.context["counts"].total == 1
    logged = AccessLog.objects.filter(user=worker, purpose=AccessPurpose.LIST)
    assert sorted(logged.values_list("object_type", "object_id")) == [
        ("cases.displacedperson", str(person.pk)),
        ("cases.protectioncase", str(case.pk)),
    ]


def test_a_worker_may_widen_to_every_case_they_may_see_but_not_to_confidential_ones(
    worker_client, colleague, child, case
):
    open_theirs = open_case(colleague, child)
    confidential_theirs = open_case(colleague, child, case_type="gbv")

    page = body(worker_client.get(URL, {"scope": "all"}))

    assert case.case_number in page
    assert open_theirs.case_number in page
    assert confidential_theirs.case_number not in page


def test_a_supervisor_sees_the_whole_agency_and_the_cases_waiting_for_a_worker(
    supervisor_client, worker, colleague, child, case, confidential_case, other_case
):
    confidential_theirs = open_case(colleague, child, case_type="gbv")
    unassigned = open_case(colleague, child)
    unassigned.assigned_to = None
    unassigned.save(update_fields=["assigned_to"])

    page = body(supervisor_client.get(URL))
    for own in (case, confidential_case, confidential_theirs, unassigned):
        assert own.case_number in page
    assert other_case.case_number not in page
    assert "Waiting for a case worker" in page

    waiting = body(supervisor_client.get(URL, {"scope": "unassigned"}))
    assert unassigned.case_number in waiting
    assert case.case_number not in waiting
    assert supervisor_client.get(URL, {"scope": "mine"}).context["page"].items == []


def test_late_actions_follow_ups_and_referrals_are_flagged_and_counted(
    worker_client, worker, person, service, agreement
):
    late_action = open_case(worker, person)
    _late_action(worker, late_action)
    late_follow_up = open_case(worker, person)
    _late_follow_up(worker, late_follow_up)
    late_referral = open_case(worker, person)
    _late_referral(worker, late_referral, service)
    on_time = open_case(worker, person)

    response = worker_client.get(URL)

    rows = {case.pk: case for case in response.context["page"].items}
    assert rows[late_action.pk].overdue_actions == 1
    assert rows[late_follow_up.pk].follow_up_overdue is True
    assert rows[late_referral.pk].overdue_referral is True
    assert not rows[on_time.pk].overdue_actions and not rows[on_time.pk].overdue_referral
    page = body(response)
    assert "1 action overdue" in page
    assert "Referral unanswered" in page
    counts = response.context["counts"]
    assert (counts.total, counts.overdue_actions, counts.follow_up_overdue) == (4, 1, 1)
    assert counts.overdue_referrals == 1

    only_late = worker_client.get(URL, {"overdue": "actions"}).context["page"].items
    assert [case.pk for case in only_late] == [late_action.pk]
    follow_ups = worker_client.get(URL, {"overdue": "follow_up"}).context["page"].items
    assert [case.pk for case in follow_ups] == [late_follow_up.pk]


def test_filters_by_status_risk_and_type_and_the_counts_by_status_and_risk(
    worker_client, worker, person, case
):
    high_gbv = open_case(worker, person, case_type="gbv", risk_level="high")
    advance(worker, high_gbv, "assessment")

    by_risk = worker_client.get(URL, {"risk_level": "high"}).context["page"].items
    by_status = worker_client.get(URL, {"status": "assessment"}).context["page"].items
    by_type = worker_client.get(URL, {"case_type": "general_protection"}).context["page"].items

    assert [c.pk for c in by_risk] == [high_gbv.pk]
    assert [c.pk for c in by_status] == [high_gbv.pk]
    assert [c.pk for c in by_type] == [case.pk]
    counts = worker_client.get(URL).context["counts"]
    assert dict((value, total) for value, _label, total in counts.by_status) == {
        "registered": 1,
        "assessment": 1,
    }
    assert dict((value, total) for value, _label, total in counts.by_risk) == {
        "medium": 1,
        "high": 1,
    }
    page = body(worker_client.get(URL))
    assert "?status=assessment" in page  # each count filters the list


def test_closed_cases_are_left_out_unless_asked_for(worker_client, worker, person, case):
    from cases.casework import closure

    closed = open_case(worker, person)
    closure.case_close(actor=worker, case=closed, reason="moved_away")

    assert closed.case_number not in body(worker_client.get(URL))
    assert closed.case_number in body(worker_client.get(URL, {"status": "all"}))
    assert closed.case_number in body(worker_client.get(URL, {"status": "closed"}))


def test_a_bad_filter_shows_an_error_and_lists_nothing(worker_client, worker, case):
    response = worker_client.get(URL, {"status": "lost", "risk_level": "extreme"})

    page = body(response)
    assert response.status_code == 200
    assert "Correct the filters marked above." in page
    assert case.case_number not in page
    assert not AccessLog.objects.filter(user=worker).exists()


def test_pages_by_keyset_with_a_next_link(worker_client, worker, person):
    cases = [open_case(worker, person) for _ in range(52)]

    first = worker_client.get(URL, {"risk_level": "medium"})

    newest_first = sorted(cases, key=lambda c: -c.pk)
    assert first.context["page"].next_after == newest_first[49].pk
    assert f"after={newest_first[49].pk}" in body(first)
    second = worker_client.get(URL, {"risk_level": "medium", "after": newest_first[49].pk})
    assert [c.pk for c in second.context["page"].items] == [c.pk for c in newest_first[50:]]
    assert second.context["counts"].total == 52  # the counts cover every page


@pytest.mark.parametrize("who", ["worker", "supervisor"])
def test_a_page_of_fifty_cases_keeps_a_constant_query_budget(
    who, worker, supervisor, person, service, agreement, django_assert_max_num_queries
):
    for index in range(55):
        case = open_case(worker, person, risk_level=("low", "medium", "high")[index % 3])
        if index % 5 == 0:
            _late_action(worker, case)
        if index % 7 == 0:
            _late_referral(worker, case, service)
    client = signed_in(worker if who == "worker" else supervisor)
    client.get(URL)  # warm the session
    # session, user, agency, inbox count, the page of cases (flags in subqueries), the grouped
    # counts, the access-log insert (3: the chain's lock and head, then the insert); a
    # supervisor's session also loads the second-factor device that verified it.
    with django_assert_max_num_queries(9 if who == "worker" else 10):
        response = client.get(URL)

    assert len(response.context["page"].items) == 50


@pytest.mark.parametrize("role", ["analyst", "partner_api", "admin"])
def test_roles_without_casework_are_refused(role, agency):
    user = factories.UserFactory(agency=agency, role=role)
    assert signed_in(user).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

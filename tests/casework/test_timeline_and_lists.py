"""The case timeline read from the audit trail, the list filters, and their query budgets."""

import datetime

import pytest
from django.utils import timezone

from cases.casework import closure, plan, referral_answers, selectors, services, timeline
from cases.models import CaseStatus
from protection.models import AuditEvent
from tests.casework.conftest import advance, open_case, refer


def test_the_timeline_tells_the_whole_story_in_order(
    worker, supervisor, partner_worker, case, service, agreement
) -> None:
    case = advance(worker, case, CaseStatus.IMPLEMENTATION)
    services.case_note_add(actor=worker, case=case, text="Met her at the clinic.")
    referral = refer(worker, case, service)
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    plan.case_action_add(
        actor=worker,
        case=case,
        description="Medical follow-up through the partner.",
        due_on=timezone.localdate() + datetime.timedelta(days=10),
        referral=referral,
    )
    services.case_update(actor=supervisor, case=case, risk_level="high")

    entries = timeline.case_timeline(user=worker, case=case)

    assert [entry.action for entry in entries] == [
        "case.open",
        "case.transition",
        "case.assessment_record",
        "case.transition",
        "case.action_add",
        "case.transition",
        "case.note_add",
        "case.referral_create",
        "case.referral_accept",
        "case.action_add",
        "case.update",
    ]
    times = [entry.at for entry in entries]
    assert times == sorted(times)
    accept = entries[8]
    assert accept.label == "Referral accepted by the partner"
    assert accept.agency == "WHP" and accept.actor == str(partner_worker)
    assert entries[6].changes["text"] == [None, "Met her at the clinic."]
    # One copy of the history: the timeline is exactly the case's audit events.
    case_events = AuditEvent.objects.filter(object_type="cases.protectioncase", object_id=case.pk)
    assert len(entries) == case_events.count()


def test_the_timeline_is_one_query_after_the_access_check(
    worker, case, django_assert_num_queries
) -> None:
    for text in ("One.", "Two.", "Three."):
        services.case_note_add(actor=worker, case=case, text=text)
    with django_assert_num_queries(2):
        entries = timeline.case_timeline(user=worker, case=case)
    assert len(entries) == 4


def test_case_list_filters(worker, colleague, supervisor, person, child) -> None:
    mine = open_case(worker, person, risk_level="high")
    theirs = open_case(colleague, child, case_type="child_protection", confidential=False)
    closure.case_close(actor=colleague, case=theirs, reason="moved_away")

    def numbers(**filters):
        return {c.case_number for c in selectors.case_list(user=supervisor, filters=filters)}

    assert numbers() == {mine.case_number, theirs.case_number}
    assert numbers(open="true") == {mine.case_number}
    assert numbers(status=["closed"]) == {theirs.case_number}
    assert numbers(risk_level=["high", "critical"]) == {mine.case_number}
    assert numbers(case_type="child_protection") == {theirs.case_number}
    assert numbers(q=mine.case_number.lower().replace("-", " ")) == {mine.case_number}
    assert numbers(q="nyakuoth") == {theirs.case_number}
    assert numbers(assigned_to=colleague.pk) == {theirs.case_number}
    assert {c.pk for c in selectors.case_list(user=worker, filters={"mine": "true"})} == {mine.pk}


@pytest.mark.parametrize("cases", [1, 12])
def test_the_caseload_query_count_does_not_grow_with_the_cases(
    worker, person, cases, django_assert_max_num_queries
) -> None:
    for _ in range(cases):
        advance(worker, open_case(worker, person), CaseStatus.IMPLEMENTATION)
    with django_assert_max_num_queries(3):
        rows = list(selectors.case_list(user=worker, filters={"mine": "true", "open": "true"}))
        shown = [
            (
                row.primary_person.full_name,
                row.primary_person.site.name,
                row.assigned_to,
                row.overdue_actions,
                row.follow_up_overdue,
                row.next_follow_up_on,
            )
            for row in rows
        ]
        summary = selectors.caseload_counts(user=worker, filters={"mine": True})
    assert len(shown) == cases == summary.total


@pytest.mark.parametrize("count", [1, 8])
def test_the_referral_inbox_query_count_does_not_grow(
    worker, partner_worker, person, service, agreement, count, django_assert_max_num_queries
) -> None:
    for _ in range(count):
        refer(worker, open_case(worker, person), service)
    with django_assert_max_num_queries(3):
        views = [selectors.shared_view(r) for r in selectors.referral_inbox(user=partner_worker)]
    assert len(views) == count
    with django_assert_max_num_queries(3):
        sent = list(selectors.referral_sent_list(user=worker))
        shown = [
            (referral.service.name, referral.to_agency.acronym, referral.case.case_number)
            for referral in sent
        ]
    assert len(shown) == count


def test_case_detail_loads_in_a_fixed_number_of_queries(
    worker, case, service, agreement, django_assert_max_num_queries
) -> None:
    case = advance(worker, case, CaseStatus.FOLLOW_UP)
    refer(worker, case, service)
    with django_assert_max_num_queries(12):
        detail = selectors.case_get(user=worker, pk=case.pk)
        for assessment in detail.assessments.all():
            list(assessment.specific_needs.all())
        actions = [(a.responsible_user, a.referral, a.is_overdue) for a in detail.actions.all()]
        sent = [(r.service.name, r.to_agency.acronym, r.is_overdue) for r in detail.referrals.all()]
        list(detail.follow_ups.all())
        list(detail.linked_persons.all())
        assert detail.primary_person.household.code
    assert len(actions) == 1 and len(sent) == 1 and detail.pending_approvals == []

"""The demo's casework: about forty cases at every stage of the workflow, some referred.

The agencies' case workers and officers open cases for people with specific needs (child
protection for children with SC or CR codes, GBV for women with SV codes, legal assistance,
general protection) and carry them as far as their stage: assessment, a plan with actions (a
few overdue), follow-ups, referrals to a partner's service with consent (pending, accepted,
completed, declined, one overdue), a closure waiting for a supervisor, closures with a durable
solution. Each step runs at the moment it would have happened (mission.clock).
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cases.casework import workflow
from cases.casework.closure import case_close, case_closure_request
from cases.casework.plan import (
    assessment_record,
    case_action_add,
    case_action_update,
    follow_up_record,
)
from cases.casework.referral_answers import referral_accept, referral_complete, referral_decline
from cases.casework.referrals import Consent, referral_create
from cases.casework.services import case_note_add, case_open, case_transition
from cases.models import (
    ActionStatus,
    CaseAction,
    CaseStatus,
    ClosureReason,
    ConsentGivenBy,
    ContactType,
    ReferralUrgency,
)
from cases.registry.records import CHILD_NEED_CATEGORIES
from protection.accounts.models import Role
from protection.dates import age_on
from protection.demo.work.casework_drafts import (
    CaseDraft,
    case_drafts,
    referrals_assign,
    stages_assign,
    step_day,
)
from protection.demo.work.casework_plan import (
    CASE_TEXTS,
    CLOSED_NEEDS_MET,
    CLOSED_SOLUTION,
    CLOSURE_REQUESTED,
    SHARED_FIELDS,
    STAGE_DEPTH,
)
from protection.demo.work.mission import SEED, Mission, clock, moment


@dataclass
class _CaseState:
    """One case's rows as its steps create them (each step runs after the one it needs)."""

    draft: CaseDraft
    case: Any = None
    actions: list[CaseAction] = field(default_factory=list)
    referral: Any = None
    referral_action: Any = None


_Step = tuple[datetime.datetime, int, Callable[[], None]]


def _case_steps(mission: Mission, state: _CaseState, rng: random.Random) -> list[_Step]:
    """Return what happens to one case, each step with the moment it happens."""
    draft = state.draft
    text = CASE_TEXTS[draft.case_type]
    worker, person = draft.worker, draft.person
    assert draft.opened is not None
    steps: list[_Step] = []

    def at(step: str, minutes: int, action: Callable[[], None]) -> None:
        day = draft.opened if step == "open" else step_day(draft, step)
        assert day is not None
        steps.append((moment(mission, day, 60 + minutes), len(steps), action))

    def open_case() -> None:
        state.case = case_open(
            actor=worker,
            person=person,
            case_type=draft.case_type,
            risk_level=draft.risk,
            summary=text.summary,
        )

    def move(status: str) -> Callable[[], None]:
        def run() -> None:
            state.case = case_transition(actor=worker, case=state.case, status=status)

        return run

    def assess() -> None:
        adult = age_on(person.date_of_birth, timezone.localdate()) >= 18
        needs = [
            need
            for need in person.specific_needs.all()
            if not (adult and need.category.code in CHILD_NEED_CATEGORIES)
        ]
        high = draft.risk in workflow.APPROVAL_RISK_LEVELS
        assessment_record(
            actor=worker,
            case=state.case,
            risks_identified=text.risks,
            specific_needs=needs,
            immediate_safety_concern=high,
            safety_plan=text.safety_plan if high else "",
            wishes=text.wishes,
        )

    def note() -> None:
        case_note_add(
            actor=worker,
            case=state.case,
            text="Discussed the risks and the safety plan with the supervisor.",
        )

    def add_actions() -> None:
        today = timezone.localdate()
        first_due = (
            today + datetime.timedelta(days=7)
            if draft.overdue_action
            else mission.today + datetime.timedelta(days=rng.randint(4, 20))
        )
        second_due = mission.today + datetime.timedelta(days=rng.randint(10, 30))
        for description, due_on in zip(text.actions, (first_due, second_due), strict=True):
            state.actions.append(
                case_action_add(
                    actor=worker,
                    case=state.case,
                    description=description,
                    due_on=due_on,
                    responsible_user=worker,
                )
            )

    def action_to(index: int, status: str) -> Callable[[], None]:
        def run() -> None:
            state.actions[index] = case_action_update(
                actor=worker, action=state.actions[index], status=status
            )

        return run

    def follow_up(contact_type: str) -> Callable[[], None]:
        def run() -> None:
            today = timezone.localdate()
            follow_up_record(
                actor=worker,
                case=state.case,
                contact_type=contact_type,
                notes=text.follow_up,
                next_follow_up_on=today + datetime.timedelta(days=14),
            )

        return run

    def close() -> None:
        if draft.stage == CLOSURE_REQUESTED:
            case_closure_request(
                actor=worker,
                case=state.case,
                reason=ClosureReason.NEEDS_MET,
                note="Risks addressed; the person agrees that the case can close.",
            )
        elif draft.stage == CLOSED_SOLUTION:
            case_close(
                actor=worker,
                case=state.case,
                reason=ClosureReason.DURABLE_SOLUTION,
                durable_solution=rng.choice(sorted(workflow.solutions_for(person))),
                note="Durable solution reached with the family.",
            )
        else:
            case_close(
                actor=worker,
                case=state.case,
                reason=ClosureReason.NEEDS_MET,
                note="Needs met; no further risk identified.",
            )

    depth = STAGE_DEPTH[draft.stage]
    at("open", 0, open_case)
    if depth >= 1:
        at("to_assessment", 0, move(CaseStatus.ASSESSMENT))
        at("assess", 0, assess)
        if draft.risk in workflow.APPROVAL_RISK_LEVELS:
            at("assess", 30, note)
    if depth >= 2:
        at("to_plan", 0, move(CaseStatus.CASE_PLAN))
        at("actions", 0, add_actions)
    if depth >= 3:
        at("to_implementation", 0, move(CaseStatus.IMPLEMENTATION))
        at("progress", 0, action_to(0, ActionStatus.IN_PROGRESS))
        at("follow_up_1", 0, follow_up(ContactType.HOME_VISIT))
    if depth >= 4:
        at("first_done", 0, action_to(0, ActionStatus.DONE))
        at("second_done", 0, action_to(1, ActionStatus.DONE))
        at("to_follow_up", 0, move(CaseStatus.FOLLOW_UP))
        at("follow_up_2", 0, follow_up(ContactType.PHONE_CALL))
    if draft.stage in (CLOSURE_REQUESTED, CLOSED_SOLUTION, CLOSED_NEEDS_MET):
        at("close", 0, close)
    if draft.referral:
        steps.extend(_referral_steps(mission, state, len(steps)))
    return steps


def _referral_steps(mission: Mission, state: _CaseState, first: int) -> list[_Step]:
    """Return the referral's steps: sent with consent, then answered as its outcome says."""
    draft = state.draft
    text = CASE_TEXTS[draft.case_type]
    service, day, outcome = draft.service, draft.referral_day, draft.referral
    assert service is not None and day is not None
    receiver = mission.user(mission.key_of(service.agency_id), Role.PROTECTION_OFFICER)
    child = age_on(draft.person.date_of_birth, mission.today) < 18

    def refer() -> None:
        state.referral = referral_create(
            actor=draft.worker,
            case=state.case,
            service=service,
            reason=text.referral_reason,
            urgency=ReferralUrgency.URGENT if outcome == "overdue" else ReferralUrgency.ROUTINE,
            shared_fields=list(SHARED_FIELDS),
            consent=Consent(
                given_by=ConsentGivenBy.CAREGIVER if child else ConsentGivenBy.PERSON,
                given_on=timezone.localdate(),
                scope=list(SHARED_FIELDS),
            ),
        )
        state.referral_action = case_action_add(
            actor=draft.worker,
            case=state.case,
            description=f"Referral to {service.name}",
            due_on=timezone.localdate() + datetime.timedelta(days=14),
            referral=state.referral,
        )

    def accept() -> None:
        state.referral = referral_accept(actor=receiver, referral=state.referral)

    def complete() -> None:
        state.referral = referral_complete(
            actor=receiver, referral=state.referral, outcome="Service provided; case closed here."
        )

    def decline() -> None:
        state.referral = referral_decline(
            actor=receiver,
            referral=state.referral,
            reason="No capacity in this site this month; try again in four weeks.",
        )

    def close_action(status: str) -> Callable[[], None]:
        def run() -> None:
            case_action_update(actor=draft.worker, action=state.referral_action, status=status)

        return run

    plan: list[tuple[int, Callable[[], None]]] = [(0, refer)]
    if outcome in ("accepted", "completed"):
        plan.append((1, accept))
    if outcome == "completed":
        plan += [(9, complete), (10, close_action(ActionStatus.DONE))]
    if outcome == "declined":
        plan += [(2, decline), (3, close_action(ActionStatus.CANCELLED))]
    return [
        (moment(mission, day + datetime.timedelta(days=offset), 180), first + index, action)
        for index, (offset, action) in enumerate(plan)
    ]


def casework_seed(mission: Mission) -> tuple[int, int]:
    """Open and work the demo's cases; return how many cases and referrals were made."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    drafts = case_drafts(mission, rng)
    stages_assign(mission, drafts, rng)
    referrals_assign(mission, drafts, rng)
    for draft in drafts:
        state = _CaseState(draft)
        for at, _order, step in sorted(_case_steps(mission, state, rng), key=lambda s: s[:2]):
            with clock(at):
                step()
    return len(drafts), sum(1 for draft in drafts if draft.referral)

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
from collections import Counter
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
    CaseType,
    ClosureReason,
    ConsentGivenBy,
    ContactType,
    DisplacedPerson,
    PersonStatus,
    ReferralUrgency,
    RiskLevel,
    Sex,
    SharedField,
)
from cases.registry.records import CHILD_NEED_CATEGORIES
from partners.models import Service
from partners.selectors import agreements_between
from protection.accounts.models import Role, User
from protection.dates import age_on
from protection.demo_work.directory import AGREEMENTS
from protection.demo_work.mission import SEED, Mission, clock, moment

CHILD_NEED_RISKS = frozenset({"SC-UC", "SC-CH", "CR-AF", "CR-LW"})
GBV_HIGH_RISKS = frozenset({"SV-VF", "SV-FM"})
GENERAL_MEDIUM = frozenset({"ER", "DS", "SM", "TR"})

# How many cases of each type each agency opens (about forty in all).
CASE_QUOTAS: dict[str, dict[str, int]] = {
    "mission": {
        CaseType.CHILD_PROTECTION: 4,
        CaseType.GBV: 3,
        CaseType.LEGAL_ASSISTANCE: 2,
        CaseType.GENERAL_PROTECTION: 5,
    },
    "un": {
        CaseType.CHILD_PROTECTION: 4,
        CaseType.GBV: 3,
        CaseType.LEGAL_ASSISTANCE: 3,
        CaseType.GENERAL_PROTECTION: 4,
    },
    "ngo": {
        CaseType.CHILD_PROTECTION: 4,
        CaseType.GBV: 4,
        CaseType.LEGAL_ASSISTANCE: 1,
        CaseType.GENERAL_PROTECTION: 3,
    },
}

REGISTERED, ASSESSMENT, CASE_PLAN = "registered", "assessment", "case_plan"
IMPLEMENTATION, FOLLOW_UP = "implementation", "follow_up"
CLOSURE_REQUESTED, CLOSED_SOLUTION, CLOSED_NEEDS_MET = (
    "closure_requested",
    "closed_solution",
    "closed_needs_met",
)
# Where the cases stand, in the order a small demo fills them (one of each first).
STAGE_QUOTAS: tuple[tuple[str, int], ...] = (
    (IMPLEMENTATION, 9),
    (CASE_PLAN, 7),
    (ASSESSMENT, 7),
    (REGISTERED, 6),
    (FOLLOW_UP, 6),
    (CLOSURE_REQUESTED, 1),
    (CLOSED_SOLUTION, 3),
    (CLOSED_NEEDS_MET, 1),
)
# Days after opening of each step of the workflow.
STEP_DAYS = {
    "to_assessment": 1,
    "assess": 2,
    "to_plan": 4,
    "actions": 5,
    "to_implementation": 6,
    "progress": 8,
    "follow_up_1": 14,
    "first_done": 15,
    "second_done": 20,
    "to_follow_up": 21,
    "follow_up_2": 28,
    "close": 35,
}
# How long ago a case at each stage opened: (its last step, the oldest), in days.
STAGE_AGES = {
    REGISTERED: (0, 9),
    ASSESSMENT: (2, 14),
    CASE_PLAN: (5, 24),
    IMPLEMENTATION: (14, 34),
    FOLLOW_UP: (28, 44),
    CLOSURE_REQUESTED: (35, 48),
    CLOSED_SOLUTION: (35, 50),
    CLOSED_NEEDS_MET: (35, 50),
}
PLANNED_STAGES = (CASE_PLAN, IMPLEMENTATION, FOLLOW_UP)
# How far along the workflow each stage is; the closures all pass through follow-up.
STAGE_DEPTH = {
    REGISTERED: 0,
    ASSESSMENT: 1,
    CASE_PLAN: 2,
    IMPLEMENTATION: 3,
    FOLLOW_UP: 4,
    CLOSURE_REQUESTED: 4,
    CLOSED_SOLUTION: 4,
    CLOSED_NEEDS_MET: 4,
}
# Referrals and how they end, in the order they are handed to cases.
REFERRAL_OUTCOMES = (
    "accepted",
    "pending",
    "overdue",
    "completed",
    "declined",
    "accepted",
    "pending",
)
# Days ago each kind of referral was made: (newest, oldest).
REFERRAL_AGES = {
    "pending": (0, 2),
    "overdue": (4, 6),
    "accepted": (3, 10),
    "completed": (12, 20),
    "declined": (4, 10),
}
# How many cases have a plan action still open after its due date.
OVERDUE_ACTIONS = 3

SECTOR_PREFERENCES: dict[str, tuple[str, ...]] = {
    CaseType.CHILD_PROTECTION: ("child_protection", "psychosocial"),
    CaseType.GBV: ("gbv", "psychosocial", "shelter"),
    CaseType.LEGAL_ASSISTANCE: ("legal_aid",),
    CaseType.GENERAL_PROTECTION: ("protection", "shelter", "psychosocial", "legal_aid"),
}
SHARED_FIELDS = [
    SharedField.FULL_NAME,
    SharedField.AGE,
    SharedField.SEX,
    SharedField.LANGUAGES,
    SharedField.LOCATION,
    SharedField.CASE_TYPE,
    SharedField.RISK_LEVEL,
    SharedField.SPECIFIC_NEEDS,
]


@dataclass(frozen=True)
class CaseText:
    summary: str
    risks: str
    wishes: str
    safety_plan: str
    actions: tuple[str, str]
    referral_reason: str
    follow_up: str


CASE_TEXTS: dict[str, CaseText] = {
    CaseType.CHILD_PROTECTION: CaseText(
        summary="Child identified at registration with child protection needs.",
        risks="Without consistent adult care; exposed to exploitation and dropping out of school.",
        wishes="Wants to stay with the current caregiver and to go back to school.",
        safety_plan="Daily check by the block focal point; caregiver knows whom to call.",
        actions=(
            "Best interests assessment with the caregiver",
            "Enrol the child in the site's school and follow attendance",
        ),
        referral_reason="Needs child protection case management and tracing of relatives.",
        follow_up="Child seen at the shelter with the caregiver; attends school most days.",
    ),
    CaseType.GBV: CaseText(
        summary="Survivor disclosed violence and asked for support.",
        risks="Risk of further violence from a known perpetrator living nearby.",
        wishes="Wants medical care and to stay in the site, away from the perpetrator's block.",
        safety_plan="Safe contact agreed; relocation to another block if the threat repeats.",
        actions=("Accompany to clinical care within 72 hours", "Agree a safety plan"),
        referral_reason="Survivor consents to specialised GBV case management and care.",
        follow_up="Met at the women's safe space; feels safer and attends the support group.",
    ),
    CaseType.LEGAL_ASSISTANCE: CaseText(
        summary="Lacks civil documentation; cannot access services that require it.",
        risks="Without documents: arrest at checkpoints, no access to assistance.",
        wishes="Wants documents for the family.",
        safety_plan="Carries the registration letter until documents are issued.",
        actions=("Collect supporting statements", "Accompany to the civil registry"),
        referral_reason="Needs legal counselling and help to obtain documents.",
        follow_up="Application filed; waiting for the registry's appointment.",
    ),
    CaseType.GENERAL_PROTECTION: CaseText(
        summary="Person with specific needs at heightened risk in the site.",
        risks="Isolated in the shelter; difficulty reaching distributions and services.",
        wishes="Wants help to reach services and a safer shelter.",
        safety_plan="Neighbour focal point checks daily; hotline number given.",
        actions=("Home visit with the block leader", "Arrange assisted collection of rations"),
        referral_reason="Needs follow-up by a protection service partner.",
        follow_up="Home visit: shelter repaired, rations collected with help of a neighbour.",
    ),
}


@dataclass
class _CaseDraft:
    """A case to open: whose, by whom, and how far it gets (filled in by the _assign steps)."""

    person: DisplacedPerson
    agency: str
    case_type: str
    risk: str
    worker: User
    stage: str = REGISTERED
    opened: datetime.date | None = None
    overdue_action: bool = False
    referral: str = ""
    referral_day: datetime.date | None = None
    service: Service | None = None


@dataclass
class _CaseState:
    """One case's rows as its steps create them (each step runs after the one it needs)."""

    draft: _CaseDraft
    case: Any = None
    actions: list[CaseAction] = field(default_factory=list)
    referral: Any = None
    referral_action: Any = None


def _age(born: datetime.date, today: datetime.date) -> int:
    return age_on(born, today)


def _classify(person: DisplacedPerson, today: datetime.date) -> tuple[str, str] | None:
    """Return the case type and risk level a person's specific needs call for, if any."""
    codes = {need.code for need in person.specific_needs.all()}
    if not codes:
        return None
    groups = {code.split("-")[0] for code in codes}
    child = _age(person.date_of_birth, today) < 18
    if child and groups & CHILD_NEED_CATEGORIES:
        risk = RiskLevel.HIGH if codes & CHILD_NEED_RISKS else RiskLevel.MEDIUM
        return CaseType.CHILD_PROTECTION, risk
    if not child and person.sex == Sex.FEMALE and "SV" in groups:
        return CaseType.GBV, RiskLevel.HIGH if codes & GBV_HIGH_RISKS else RiskLevel.MEDIUM
    if "LP" in groups:
        return CaseType.LEGAL_ASSISTANCE, RiskLevel.LOW if child else RiskLevel.MEDIUM
    return CaseType.GENERAL_PROTECTION, (
        RiskLevel.MEDIUM if groups & GENERAL_MEDIUM else RiskLevel.LOW
    )


def _worker(mission: Mission, agency: str, case_type: str, index: int) -> User:
    """Return who runs the case: GBV cases the case worker, the rest alternately."""
    if case_type == CaseType.GBV or index % 2 == 0:
        return mission.user(agency, Role.CASE_WORKER)
    return mission.user(agency, Role.PROTECTION_OFFICER)


def _drafts(mission: Mission, rng: random.Random) -> list[_CaseDraft]:
    """Choose the people whose cases are open: per agency and type, from the registry."""
    by_agency: list[list[_CaseDraft]] = []
    for key, quotas in CASE_QUOTAS.items():
        people = (
            DisplacedPerson.objects.filter(
                owning_agency=mission.agencies[key],
                status=PersonStatus.ACTIVE,
                specific_needs__isnull=False,
            )
            .distinct()
            .select_related("displacement_status", "site")
            .prefetch_related("specific_needs__category")
            .order_by("pk")
        )
        pools: dict[str, list[tuple[DisplacedPerson, str]]] = {t: [] for t in quotas}
        for person in people:
            kind = _classify(person, mission.today)
            if kind is not None:
                pools[kind[0]].append((person, kind[1]))
        chosen: list[tuple[DisplacedPerson, str, str]] = []
        for case_type, quota in quotas.items():
            pool = pools[case_type]
            for person, risk in rng.sample(pool, min(quota, len(pool))):
                chosen.append((person, case_type, risk))
        # A small registry may lack a type: make up the number with the other needs.
        taken = {person.pk for person, _type, _risk in chosen}
        spare = [
            (person, case_type, risk)
            for case_type, pool in pools.items()
            for person, risk in pool
            if person.pk not in taken
        ]
        missing = sum(quotas.values()) - len(chosen)
        chosen.extend(rng.sample(spare, min(missing, len(spare))))
        rng.shuffle(chosen)
        by_agency.append(
            [
                _CaseDraft(person, key, case_type, risk, _worker(mission, key, case_type, index))
                for index, (person, case_type, risk) in enumerate(chosen)
            ]
        )
    # Round robin over the agencies, so that every agency has cases at every stage.
    drafts: list[_CaseDraft] = []
    for index in range(max((len(group) for group in by_agency), default=0)):
        drafts.extend(group[index] for group in by_agency if index < len(group))
    return drafts


def _fits(stage: str, draft: _CaseDraft) -> bool:
    """Return whether the case can end at this stage: a closure's risk and solution decide."""
    if stage == CLOSURE_REQUESTED:
        return draft.risk in workflow.APPROVAL_RISK_LEVELS
    if stage in (CLOSED_SOLUTION, CLOSED_NEEDS_MET):
        if draft.risk in workflow.APPROVAL_RISK_LEVELS:
            return False
        return stage == CLOSED_NEEDS_MET or bool(workflow.solutions_for(draft.person))
    return True


def _assign_stages(mission: Mission, drafts: list[_CaseDraft], rng: random.Random) -> None:
    """Give each case its stage, the day it opened, and whether an action of it is overdue."""
    remaining = dict(STAGE_QUOTAS)
    order: list[str] = []
    while any(remaining.values()):
        for stage, _quota in STAGE_QUOTAS:
            if remaining[stage]:
                order.append(stage)
                remaining[stage] -= 1
    free = list(drafts)
    for stage in order:
        draft = next((d for d in free if _fits(stage, d)), None)
        if draft is not None:
            draft.stage = stage
            free.remove(draft)
    for draft in drafts:
        newest, oldest = STAGE_AGES[draft.stage]
        draft.opened = mission.today - datetime.timedelta(days=rng.randint(newest, oldest))
    overdue = 0
    for draft in drafts:
        action_day = _day(draft, "actions")
        if (
            overdue < OVERDUE_ACTIONS
            and draft.stage in (CASE_PLAN, IMPLEMENTATION)
            and action_day + datetime.timedelta(days=8) < mission.today
        ):
            draft.overdue_action = True
            overdue += 1


def _day(draft: _CaseDraft, step: str) -> datetime.date:
    assert draft.opened is not None
    return draft.opened + datetime.timedelta(days=STEP_DAYS[step])


def _referral_targets(
    draft: _CaseDraft, services: list[Service], partners: set[frozenset[int]]
) -> list[Service]:
    """Return the services the case may be referred to, the most fitting first.

    A partner's service (an agreement covers the pair of agencies) comes before one of the
    case's own agency, and a sector the case type calls for first before the next.
    """
    agency_id = draft.person.owning_agency_id
    ranked: list[tuple[bool, int, Service]] = []
    for rank, sector in enumerate(SECTOR_PREFERENCES[draft.case_type]):
        for service in services:
            serves = draft.person.site_id in {site.pk for site in service.sites.all()}
            own = service.agency_id == agency_id
            if service.sector.code != sector or not serves:
                continue
            if own or frozenset({agency_id, service.agency_id}) in partners:
                ranked.append((own, rank, service))
    return [service for _own, _rank, service in sorted(ranked, key=lambda item: item[:2])]


def _assign_referrals(mission: Mission, drafts: list[_CaseDraft], rng: random.Random) -> None:
    """Hand each referral outcome to a case planned by then that has a service to go to."""
    services = list(
        Service.objects.filter(agency__in=mission.agencies.values(), accepting_referrals=True)
        .select_related("sector")
        .prefetch_related("sites")
        .order_by("pk")
    )
    partners = {
        frozenset({mission.agencies[one].pk, mission.agencies[two].pk})
        for one, two, _reference in AGREEMENTS
        if agreements_between(mission.agencies[one], mission.agencies[two]).exists()
    }
    targets = {id(draft): _referral_targets(draft, services, partners) for draft in drafts}
    used: Counter[int] = Counter()
    for outcome in REFERRAL_OUTCOMES:
        newest, oldest = REFERRAL_AGES[outcome]
        day = mission.today - datetime.timedelta(days=rng.randint(newest, oldest))
        stages = (IMPLEMENTATION, FOLLOW_UP) if outcome == "completed" else PLANNED_STAGES
        options = [
            (draft, service)
            for draft in drafts
            if not draft.referral and draft.stage in stages and _day(draft, "to_plan") <= day
            for service in targets[id(draft)]
        ]
        if not options:
            continue
        # Another agency's service where one fits, and the directory's services in turn.
        draft, service = min(
            options,
            key=lambda option: (
                option[1].agency_id == option[0].person.owning_agency_id,
                used[option[1].pk],
            ),
        )
        draft.referral, draft.referral_day, draft.service = outcome, day, service
        used[service.pk] += 1


_Step = tuple[datetime.datetime, int, Callable[[], None]]


def _case_steps(mission: Mission, state: _CaseState, rng: random.Random) -> list[_Step]:
    """Return what happens to one case, each step with the moment it happens."""
    draft = state.draft
    text = CASE_TEXTS[draft.case_type]
    worker, person = draft.worker, draft.person
    assert draft.opened is not None
    steps: list[_Step] = []

    def at(step: str, minutes: int, action: Callable[[], None]) -> None:
        day = draft.opened if step == "open" else _day(draft, step)
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
        adult = _age(person.date_of_birth, timezone.localdate()) >= 18
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
    child = _age(draft.person.date_of_birth, mission.today) < 18

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
    drafts = _drafts(mission, rng)
    _assign_stages(mission, drafts, rng)
    _assign_referrals(mission, drafts, rng)
    for draft in drafts:
        state = _CaseState(draft)
        for at, _order, step in sorted(_case_steps(mission, state, rng), key=lambda s: s[:2]):
            with clock(at):
                step()
    return len(drafts), sum(1 for draft in drafts if draft.referral)

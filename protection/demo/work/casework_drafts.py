"""The demo's case drafts: whose cases are opened, by whom, how far they get, which are referred.

Chosen from the registry by the people's specific needs, per agency and type of case
(casework_plan's quotas); casework then runs each draft's steps at the moment they happen.
"""

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from cases.casework import workflow
from cases.models import (
    CaseType,
    DisplacedPerson,
    PersonStatus,
    RiskLevel,
    Sex,
)
from cases.registry.records import CHILD_NEED_CATEGORIES
from partners.models import Service
from partners.selectors import agreements_between
from protection.accounts.models import Role, User
from protection.dates import age_on
from protection.demo.work.casework_plan import (
    CASE_PLAN,
    CASE_QUOTAS,
    CHILD_NEED_RISKS,
    CLOSED_NEEDS_MET,
    CLOSED_SOLUTION,
    CLOSURE_REQUESTED,
    FOLLOW_UP,
    GBV_HIGH_RISKS,
    GENERAL_MEDIUM,
    IMPLEMENTATION,
    OVERDUE_ACTIONS,
    PLANNED_STAGES,
    REFERRAL_AGES,
    REFERRAL_OUTCOMES,
    REGISTERED,
    SECTOR_PREFERENCES,
    STAGE_AGES,
    STAGE_QUOTAS,
    STEP_DAYS,
)
from protection.demo.work.directory import AGREEMENTS
from protection.demo.work.mission import Mission


@dataclass
class CaseDraft:
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


def _classify(person: DisplacedPerson, today: datetime.date) -> tuple[str, str] | None:
    """Return the case type and risk level a person's specific needs call for, if any."""
    codes = {need.code for need in person.specific_needs.all()}
    if not codes:
        return None
    groups = {code.split("-")[0] for code in codes}
    child = age_on(person.date_of_birth, today) < 18
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


def case_drafts(mission: Mission, rng: random.Random) -> list[CaseDraft]:
    """Choose the people whose cases are open: per agency and type, from the registry."""
    by_agency: list[list[CaseDraft]] = []
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
                CaseDraft(person, key, case_type, risk, _worker(mission, key, case_type, index))
                for index, (person, case_type, risk) in enumerate(chosen)
            ]
        )
    # Round robin over the agencies, so that every agency has cases at every stage.
    drafts: list[CaseDraft] = []
    for index in range(max((len(group) for group in by_agency), default=0)):
        drafts.extend(group[index] for group in by_agency if index < len(group))
    return drafts


def _fits(stage: str, draft: CaseDraft) -> bool:
    """Return whether the case can end at this stage: a closure's risk and solution decide."""
    if stage == CLOSURE_REQUESTED:
        return draft.risk in workflow.APPROVAL_RISK_LEVELS
    if stage in (CLOSED_SOLUTION, CLOSED_NEEDS_MET):
        if draft.risk in workflow.APPROVAL_RISK_LEVELS:
            return False
        return stage == CLOSED_NEEDS_MET or bool(workflow.solutions_for(draft.person))
    return True


def stages_assign(mission: Mission, drafts: list[CaseDraft], rng: random.Random) -> None:
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
        action_day = step_day(draft, "actions")
        if (
            overdue < OVERDUE_ACTIONS
            and draft.stage in (CASE_PLAN, IMPLEMENTATION)
            and action_day + datetime.timedelta(days=8) < mission.today
        ):
            draft.overdue_action = True
            overdue += 1


def step_day(draft: CaseDraft, step: str) -> datetime.date:
    assert draft.opened is not None
    return draft.opened + datetime.timedelta(days=STEP_DAYS[step])


def _referral_targets(
    draft: CaseDraft, services: list[Service], partners: set[frozenset[int]]
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


def referrals_assign(mission: Mission, drafts: list[CaseDraft], rng: random.Random) -> None:
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
            if not draft.referral and draft.stage in stages and step_day(draft, "to_plan") <= day
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

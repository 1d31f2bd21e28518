"""The demo casework's plan: how many cases of each type, at which stage, with what words.

The tables the case drafts (casework_drafts) and their steps (casework) are drawn from: quotas
per agency and type, the stages and the days between the workflow's steps, the referrals and
how they end, and the text an officer would write for each type of case.
"""

from dataclasses import dataclass

from cases.models import CaseType, SharedField

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

"""The rules of the case workflow: which moves are legal and what a closure needs.

Plain functions over plain values, so that services, forms and the API explain a refusal
with the same words.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases.models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    DisplacedPerson,
    DurableSolution,
    PersonStatus,
    ProtectionCase,
    RiskLevel,
)

# Forward along the workflow, or one step back to revise; closing and reopening have their
# own services because they carry a reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.REGISTERED: frozenset({CaseStatus.ASSESSMENT}),
    CaseStatus.ASSESSMENT: frozenset({CaseStatus.CASE_PLAN}),
    CaseStatus.CASE_PLAN: frozenset({CaseStatus.IMPLEMENTATION, CaseStatus.ASSESSMENT}),
    CaseStatus.IMPLEMENTATION: frozenset({CaseStatus.FOLLOW_UP, CaseStatus.CASE_PLAN}),
    CaseStatus.FOLLOW_UP: frozenset({CaseStatus.IMPLEMENTATION}),
    CaseStatus.CLOSED: frozenset(),
}

# A case may close from follow-up for any reason; these reasons end it at any stage.
EARLY_CLOSURE_REASONS = frozenset(
    {
        ClosureReason.TRANSFERRED,
        ClosureReason.LOST_CONTACT,
        ClosureReason.MOVED_AWAY,
        ClosureReason.DECEASED,
        ClosureReason.OTHER,
    }
)
APPROVAL_RISK_LEVELS = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})
CONFIDENTIAL_BY_DEFAULT = frozenset({CaseType.GBV, CaseType.CHILD_PROTECTION})
# A GBV case can never be opened to the whole agency: a leaked survivor list costs lives.
ALWAYS_CONFIDENTIAL = frozenset({CaseType.GBV})
REOPEN_STATUS = CaseStatus.ASSESSMENT

# Displacement-status codes of people displaced inside their own country.
INTERNAL_DISPLACEMENT_CODES = frozenset({"IDP", "RDP"})
# Host-community members are not displaced: there is no solution to their displacement.
NOT_DISPLACED_CODES = frozenset({"HST"})
IDP_SOLUTIONS = frozenset(
    {
        DurableSolution.RETURN,
        DurableSolution.LOCAL_INTEGRATION,
        DurableSolution.SETTLEMENT_ELSEWHERE,
    }
)
CROSS_BORDER_SOLUTIONS = frozenset(
    {
        DurableSolution.VOLUNTARY_REPATRIATION,
        DurableSolution.LOCAL_INTEGRATION,
        DurableSolution.RESETTLEMENT,
    }
)
# The registry status a person takes when the case reaches a solution or records a death.
SOLUTION_PERSON_STATUS: dict[str, str] = {
    DurableSolution.VOLUNTARY_REPATRIATION: PersonStatus.REPATRIATED,
    DurableSolution.RESETTLEMENT: PersonStatus.RESETTLED,
    DurableSolution.LOCAL_INTEGRATION: PersonStatus.LOCALLY_INTEGRATED,
    DurableSolution.RETURN: PersonStatus.DEPARTED,
    DurableSolution.SETTLEMENT_ELSEWHERE: PersonStatus.DEPARTED,
}


def check_transition(case: ProtectionCase, target: str) -> None:
    """Raise ValidationError unless the case may move from its status to `target`."""
    labels = dict(CaseStatus.choices)
    if target not in labels:
        raise ValidationError({"status": _("Choose a valid case status.")})
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"status": _("This case is closed; reopen it first.")})
    if target == CaseStatus.CLOSED:
        raise ValidationError({"status": _("Close a case with a closure reason.")})
    if target not in TRANSITIONS[case.status]:
        raise ValidationError(
            {
                "status": _("A case cannot move from %(current)s to %(target)s.")
                % {"current": labels[case.status], "target": labels[target]}
            }
        )


def solutions_for(person: DisplacedPerson) -> frozenset[str]:
    """Return the durable solutions that fit the person's displacement status."""
    code = person.displacement_status.code
    if code in NOT_DISPLACED_CODES:
        return frozenset()
    return IDP_SOLUTIONS if code in INTERNAL_DISPLACEMENT_CODES else CROSS_BORDER_SOLUTIONS


def check_closure(case: ProtectionCase, *, reason: str, durable_solution: str, note: str) -> None:
    """Raise ValidationError unless the case may close now with this reason."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"reason": _("This case is already closed.")})
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Choose a closure reason.")})
    if case.status != CaseStatus.FOLLOW_UP and reason not in EARLY_CLOSURE_REASONS:
        raise ValidationError(
            {
                "reason": _(
                    "Only a case in follow-up can close with this reason; move it to "
                    "follow-up first."
                )
            }
        )
    if reason == ClosureReason.OTHER and not note.strip():
        raise ValidationError({"note": _("Explain why the case closes.")})
    if reason != ClosureReason.DURABLE_SOLUTION:
        if durable_solution:
            raise ValidationError(
                {"durable_solution": _("Give a durable solution only when one was reached.")}
            )
        return
    if case.primary_person.status == PersonStatus.DECEASED:
        raise ValidationError(
            {"reason": _("The person is recorded as deceased; no solution can be reached.")}
        )
    allowed = solutions_for(case.primary_person)
    if not allowed:
        raise ValidationError(
            {"durable_solution": _("A member of the host community has no displacement to end.")}
        )
    if durable_solution not in allowed:
        labels = dict(DurableSolution.choices)
        raise ValidationError(
            {
                "durable_solution": _(
                    "For a person with displacement status %(status)s, choose one of: %(choices)s."
                )
                % {
                    "status": case.primary_person.displacement_status.label,
                    "choices": ", ".join(str(labels[s]) for s in sorted(allowed)),
                }
            }
        )


def closure_person_status(reason: str, durable_solution: str) -> str | None:
    """Return the registry status the closure gives the person, if it gives one."""
    if reason == ClosureReason.DECEASED:
        return PersonStatus.DECEASED
    if reason == ClosureReason.DURABLE_SOLUTION:
        return SOLUTION_PERSON_STATUS[durable_solution]
    return None


def needs_closure_approval(case: ProtectionCase) -> bool:
    """Return whether a supervisor must approve closing the case."""
    return case.risk_level in APPROVAL_RISK_LEVELS

"""What casework adds to a person's data-subject report: their cases and their referrals.

Only what the officer may see: the cases of the access policy (a confidential case only to
its worker and the supervisors), their assessments, plan, follow-ups and notes, and the
referrals made from them with what each shared and with whom. Registered in the report from
CasesConfig.ready() (protection.subject_report).
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Model, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from cases.casework.sharing import shared_items
from cases.models import (
    ActionStatus,
    CaseAction,
    CaseAssessment,
    CaseFollowUp,
    CaseNote,
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentBasis,
    ContactType,
    DisplacedPerson,
    ProtectionCase,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
)
from protection import access
from protection.subject_report import (
    SectionContent,
    SubjectSection,
    coded,
    register_subject_section,
)

if TYPE_CHECKING:
    from protection.accounts.models import User


def _who(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def _case_row(case: ProtectionCase, person: DisplacedPerson) -> dict[str, Any]:
    return {
        "case_number": case.case_number,
        "role": coded(
            "subject" if case.primary_person_id == person.pk else "linked",
            [("subject", _("Subject of the case")), ("linked", _("Household member linked"))],
        ),
        "case_type": coded(case.case_type, CaseType.choices),
        "risk_level": coded(case.risk_level, RiskLevel.choices),
        "status": coded(case.status, CaseStatus.choices),
        "confidential": case.confidential,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "closure_reason": coded(case.closure_reason, ClosureReason.choices),
        "summary": case.summary,
        "owning_agency": case.owning_agency.name,
        "assigned_to": _who(case.assigned_to),
        "assessments": [
            {
                "assessed_on": assessment.assessed_on,
                "risks_identified": assessment.risks_identified,
                "immediate_safety_concern": assessment.immediate_safety_concern,
                "safety_plan": assessment.safety_plan,
                "wishes": assessment.wishes,
                "specific_needs": sorted(need.code for need in assessment.specific_needs.all()),
                "assessed_by": _who(assessment.assessed_by),
            }
            for assessment in case.assessments.all()
        ],
        "actions": [
            {
                "description": action.description,
                "status": coded(action.status, ActionStatus.choices),
                "due_on": action.due_on,
                "completed_on": action.completed_on,
            }
            for action in case.actions.all()
        ],
        "follow_ups": [
            {
                "followed_up_on": follow_up.followed_up_on,
                "contact_type": coded(follow_up.contact_type, ContactType.choices),
                "notes": follow_up.notes,
            }
            for follow_up in case.follow_ups.all()
        ],
        "notes": [
            {"written_at": note.created_at, "author": _who(note.author), "text": note.text}
            for note in case.notes.all()
        ],
    }


def _as_text(value: Any) -> str:
    """Return a shared value as one line to read (the JSON keeps the value itself)."""
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_as_text(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(item) for item in value)
    if value is None:
        return ""
    return str(value)


def _referral_row(referral: Referral) -> dict[str, Any]:
    return {
        "code": referral.code,
        "case_number": referral.case.case_number,
        "service": referral.service.name,
        "from_agency": referral.from_agency.name,
        "to_agency": referral.to_agency.name,
        "status": coded(referral.status, ReferralStatus.choices),
        "urgency": coded(referral.urgency, ReferralUrgency.choices),
        "consent_basis": coded(referral.consent_basis, ConsentBasis.choices),
        "reason": referral.reason,
        "sent_at": referral.sent_at,
        "shared": [
            {
                "field": item.field,
                "label": item.label,
                "value": item.value,
                "text": _as_text(item.value),
            }
            for item in shared_items(referral.shared_data or {})
        ],
        "outcome": referral.outcome,
    }


def person_cases(user: "User", person: Model) -> SectionContent:
    """Return the cases the person is the subject of or linked to, as the user may see them."""
    cases = list(
        access.cases_for(user)
        .filter(Q(primary_person_id=person.pk) | Q(linked_persons__id=person.pk))
        .distinct()
        .select_related("owning_agency", "assigned_to")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=CaseAssessment.objects.select_related("assessed_by")
                .prefetch_related("specific_needs")
                .order_by("-assessed_on", "-id"),
            ),
            Prefetch("actions", queryset=CaseAction.objects.order_by("due_on", "id")),
            Prefetch(
                "follow_ups", queryset=CaseFollowUp.objects.order_by("-followed_up_on", "-id")
            ),
            Prefetch("notes", queryset=CaseNote.objects.select_related("author").order_by("-id")),
        )
        .order_by("-opened_on", "-id")
    )
    assert isinstance(person, DisplacedPerson)
    return SectionContent(
        rows=[_case_row(case, person) for case in cases], read=cases, history=cases
    )


def person_referrals(user: "User", person: Model) -> SectionContent:
    """Return the referrals made from the person's cases the user may see: to whom, what."""
    cases = access.cases_for(user).filter(
        Q(primary_person_id=person.pk) | Q(linked_persons__id=person.pk)
    )
    referrals = list(
        access.referrals_sent_for(user)
        .filter(case__in=cases.values("pk"))
        .select_related("case", "service", "from_agency", "to_agency")
        .order_by("-created_at", "-id")
    )
    return SectionContent(
        rows=[_referral_row(referral) for referral in referrals],
        read=referrals,
        history=referrals,
    )


def register() -> None:
    """Add the person's cases and referrals to every data-subject report."""
    register_subject_section(
        SubjectSection(
            key="cases",
            title=_("Protection cases"),
            template="cases/subject/cases.html",
            order=10,
            build=person_cases,
        )
    )
    register_subject_section(
        SubjectSection(
            key="referrals",
            title=_("Referrals: what was shared, and with whom"),
            template="cases/subject/referrals.html",
            order=20,
            build=person_referrals,
        )
    )

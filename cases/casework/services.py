"""Writes to a case itself: open it, change it, move it along the workflow, note on it.

Each casework service checks the access policy, validates, writes inside one transaction and
files an audit event under the case in that transaction; the case timeline is read from those
events and the rows they point to (cases.casework.history). The assessment, plan and
follow-ups are in cases.casework.plan, handing over in cases.casework.handover, closure in
cases.casework.closure, referrals in cases.casework.referrals and
cases.casework.referral_answers.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework import history, workflow
from cases.models import (
    OPEN_ACTION_STATUSES,
    ApprovalStatus,
    CaseNote,
    CaseStatus,
    CaseType,
    DisplacedPerson,
    PersonStatus,
    ProtectionCase,
    RiskLevel,
)
from partners.models import PartnerAgency
from protection import access, codes
from protection.access import Action
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User

CASE_FIELDS = ("case_type", "risk_level", "summary", "assigned_to", "confidential", "opened_on")


def require_case_work(actor: "User", case: ProtectionCase) -> None:
    """Raise PermissionDenied unless the actor may record work on the case."""
    if not access.may_work_on_case(actor, case):
        raise PermissionDenied


def require_open(case: ProtectionCase) -> None:
    """Raise ValidationError if the case is closed."""
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed; reopen it first."))


def lock(case: ProtectionCase) -> ProtectionCase:
    """Return the case row locked for this transaction, with its current values."""
    return ProtectionCase.objects.select_for_update().get(pk=case.pk)


def record(
    actor: "User | None", case: ProtectionCase, action: str, changes: dict[str, Any]
) -> None:
    """File an audit event under the case, and keep the texts it changed with the case.

    The audit event keeps no free text (a keyed hash stands for it); the timeline reads the
    words back from the rows the event points to and from the case's own history texts.
    """
    event = audit_record(actor=actor, action=action, obj=case, changes=changes)
    history.event_texts_save(case=case, event=event, changes=changes)


def _check_not_future(errors: dict[str, str], name: str, day: datetime.date | None) -> None:
    if day is not None and day > timezone.localdate():
        errors.setdefault(name, _("This date cannot be in the future."))


def _check_linked(person: DisplacedPerson, linked: Sequence[DisplacedPerson]) -> list[str]:
    errors = []
    for other in linked:
        if other.pk == person.pk:
            errors.append(_("The person is already the case's primary person."))
        elif other.household_id != person.household_id:
            errors.append(
                _("%(person)s is not a member of the same household.") % {"person": other}
            )
    return errors


def check_assignee(agency: PartnerAgency, user: "User | None") -> str | None:
    if user is None or not access.caseworkers_of(agency).filter(pk=user.pk).exists():
        return _("Assign the case to an active case worker of the agency that owns it.")
    return None


def case_open(
    *,
    actor: "User",
    person: DisplacedPerson,
    case_type: str,
    risk_level: str,
    summary: str = "",
    assigned_to: "User | None" = None,
    linked_persons: Sequence[DisplacedPerson] = (),
    confidential: bool | None = None,
    opened_on: datetime.date | None = None,
) -> ProtectionCase:
    """Open a case for a registered person of the actor's agency.

    GBV and child-protection cases are confidential unless said otherwise; a GBV case is
    always confidential. The actor is the case worker unless another one is named.
    """
    access.require(actor, Action.MANAGE_CASES)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    agency = actor.agency
    assert agency is not None  # the role check above needs an active agency
    assigned_to = assigned_to or actor
    opened_on = opened_on or timezone.localdate()
    if confidential is None:
        confidential = case_type in workflow.CONFIDENTIAL_BY_DEFAULT
    errors: dict[str, Any] = {}
    if case_type not in CaseType.values:
        errors["case_type"] = _("Choose a case type.")
    elif case_type in workflow.ALWAYS_CONFIDENTIAL and not confidential:
        errors["confidential"] = _("A gender-based violence case is always confidential.")
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = _("Choose a risk level.")
    if person.status == PersonStatus.DECEASED:
        errors["person"] = _("A case cannot be opened for a person recorded as deceased.")
    assignee_error = check_assignee(agency, assigned_to)
    if assignee_error:
        errors["assigned_to"] = assignee_error
    linked_errors = _check_linked(person, linked_persons)
    if linked_errors:
        errors["linked_persons"] = linked_errors
    _check_not_future(errors, "opened_on", opened_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = ProtectionCase(
            primary_person=person,
            case_type=case_type,
            risk_level=risk_level,
            summary=summary.strip(),
            owning_agency=agency,
            assigned_to=assigned_to,
            confidential=confidential,
            opened_on=opened_on,
            created_by=actor,
        )
        codes.save_with_code(case, "case_number", codes.CASE_PREFIX)
        case.linked_persons.set(linked_persons)
        changes = diff({}, snapshot(case, [*CASE_FIELDS, "primary_person", "owning_agency"]))
        if linked_persons:
            numbers = sorted(p.registration_number for p in linked_persons)
            changes["linked_persons"] = [None, numbers]
        record(actor, case, "case.open", changes)
    return case


def case_update(
    *,
    actor: "User",
    case: ProtectionCase,
    risk_level: str | None = None,
    summary: str | None = None,
    confidential: bool | None = None,
    linked_persons: Sequence[DisplacedPerson] | None = None,
) -> ProtectionCase:
    """Change the risk level, summary, confidentiality or linked members of an open case.

    Only a supervisor may lift confidentiality, and never on a GBV case.
    """
    require_case_work(actor, case)
    errors: dict[str, Any] = {}
    if risk_level is not None and risk_level not in RiskLevel.values:
        errors["risk_level"] = _("Choose a risk level.")
    if confidential is False and case.confidential:
        if case.case_type in workflow.ALWAYS_CONFIDENTIAL:
            errors["confidential"] = _("A gender-based violence case is always confidential.")
        elif not access.supervises_case(actor, case):
            errors["confidential"] = _("Only a supervisor can lift a case's confidentiality.")
    if linked_persons is not None:
        linked_errors = _check_linked(case.primary_person, linked_persons)
        if linked_errors:
            errors["linked_persons"] = linked_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        before = snapshot(case, ["risk_level", "summary", "confidential"])
        if risk_level is not None:
            case.risk_level = risk_level
        if summary is not None:
            case.summary = summary.strip()
        if confidential is not None:
            case.confidential = confidential
        case.save(update_fields=["risk_level", "summary", "confidential", "updated_at"])
        changes = diff(before, snapshot(case, ["risk_level", "summary", "confidential"]))
        if linked_persons is not None:
            old = sorted(case.linked_persons.values_list("registration_number", flat=True))
            new = sorted(p.registration_number for p in linked_persons)
            if old != new:
                case.linked_persons.set(linked_persons)
                changes["linked_persons"] = [old, new]
        if changes:
            record(actor, case, "case.update", changes)
    return case


def _check_stage_ready(case: ProtectionCase, target: str) -> None:
    if (
        target == CaseStatus.CASE_PLAN
        and case.status == CaseStatus.ASSESSMENT
        and not case.assessments.exists()
    ):
        raise ValidationError({"status": _("Record an assessment before planning the case.")})
    if (
        target == CaseStatus.IMPLEMENTATION
        and not case.actions.filter(status__in=OPEN_ACTION_STATUSES).exists()
    ):
        raise ValidationError({"status": _("Add at least one open action to the case plan.")})


def _closure_pending(case: ProtectionCase) -> bool:
    return case.approvals.filter(kind="closure", status=ApprovalStatus.PENDING).exists()


def case_transition(*, actor: "User", case: ProtectionCase, status: str) -> ProtectionCase:
    """Move the case to the next (or back to the previous) stage of the workflow."""
    require_case_work(actor, case)
    with transaction.atomic():
        case = lock(case)
        workflow.check_transition(case, status)
        if _closure_pending(case):
            raise ValidationError(
                {"status": _("A supervisor has yet to decide on closing this case.")}
            )
        _check_stage_ready(case, status)
        before = case.status
        case.status = status
        case.save(update_fields=["status", "updated_at"])
        record(actor, case, "case.transition", {"status": [before, status]})
    return case


def case_note_add(*, actor: "User", case: ProtectionCase, text: str) -> CaseNote:
    """Write a note on the case."""
    require_case_work(actor, case)
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    with transaction.atomic():
        note = CaseNote.objects.create(case=case, text=text.strip(), author=actor)
        record(actor, case, "case.note_add", {"note": [None, note.pk], "text": [None, note.text]})
    return note

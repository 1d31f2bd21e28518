"""The work on a case: its assessment, the plan's actions, and the follow-up contacts."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework.services import lock, record, require_case_work, require_open
from cases.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    CaseAction,
    CaseAssessment,
    CaseFollowUp,
    CaseStatus,
    ContactType,
    ProtectionCase,
    Referral,
    ReferralStatus,
    SpecificNeed,
)
from cases.registry.records import CHILD_NEED_CATEGORIES
from protection import access
from protection.audit import diff, snapshot
from protection.dates import age_on

if TYPE_CHECKING:
    from protection.accounts.models import User

PLANNING_STATUSES = (CaseStatus.CASE_PLAN, CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP)
FOLLOW_UP_STATUSES = (CaseStatus.IMPLEMENTATION, CaseStatus.FOLLOW_UP)
ACTION_FIELDS = ("description", "responsible_user", "referral", "due_on", "status", "completed_on")
# Where an action may go from each status; done and cancelled are final.
ACTION_MOVES: dict[str, frozenset[str]] = {
    ActionStatus.PLANNED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.CANCELLED}
    ),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.DONE, ActionStatus.CANCELLED}),
    ActionStatus.DONE: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}
_DEAD_REFERRALS = (ReferralStatus.DECLINED, ReferralStatus.CANCELLED)


def _check_responsible(
    case: ProtectionCase, responsible_user: "User | None", referral: Referral | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (responsible_user is None) == (referral is None):
        errors["responsible_user"] = _("Name either a responsible person or a referral.")
    elif responsible_user is not None and (
        not access.caseworkers_of(case.owning_agency).filter(pk=responsible_user.pk).exists()
    ):
        errors["responsible_user"] = _("Choose an active case worker of the case's agency.")
    elif referral is not None and referral.case_id != case.pk:
        errors["referral"] = _("Choose a referral of this case.")
    elif referral is not None and referral.status in _DEAD_REFERRALS:
        errors["referral"] = _("This referral was declined or cancelled.")
    return errors


def case_action_add(
    *,
    actor: "User",
    case: ProtectionCase,
    description: str,
    due_on: datetime.date,
    responsible_user: "User | None" = None,
    referral: Referral | None = None,
) -> CaseAction:
    """Add an action to the case plan, carried out by a case worker or through a referral."""
    require_case_work(actor, case)
    errors = _check_responsible(case, responsible_user, referral)
    if not description.strip():
        errors["description"] = _("Describe the action.")
    if due_on < timezone.localdate():
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        if case.status not in PLANNING_STATUSES:
            raise ValidationError(_("Plan actions once the assessment is done (case plan stage)."))
        action = CaseAction.objects.create(
            case=case,
            description=description.strip(),
            responsible_user=responsible_user,
            referral=referral,
            due_on=due_on,
            created_by=actor,
        )
        changes = diff({}, snapshot(action, ACTION_FIELDS))
        changes["action"] = [None, action.pk]
        record(actor, case, "case.action_add", changes)
    return action


def case_action_update(
    *,
    actor: "User",
    action: CaseAction,
    status: str | None = None,
    due_on: datetime.date | None = None,
    description: str | None = None,
) -> CaseAction:
    """Move an action along (planned, in progress, done, cancelled) or reschedule it."""
    case = action.case
    require_case_work(actor, case)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        action = CaseAction.objects.select_for_update().get(pk=action.pk, case=case)
        errors: dict[str, str] = {}
        if status is not None and status != action.status:
            if status not in ActionStatus.values:
                errors["status"] = _("Choose a valid action status.")
            elif status not in ACTION_MOVES[action.status]:
                errors["status"] = _("A done or cancelled action cannot change status.")
        if due_on is not None and due_on != action.due_on:
            if action.status not in OPEN_ACTION_STATUSES:
                errors["due_on"] = _("Only an open action can be rescheduled.")
            elif due_on < timezone.localdate():
                errors["due_on"] = _("The due date cannot be in the past.")
        if description is not None and not description.strip():
            errors["description"] = _("Describe the action.")
        if errors:
            raise ValidationError(errors)
        before = snapshot(action, ACTION_FIELDS)
        if status is not None and status != action.status:
            action.status = status
            action.completed_on = timezone.localdate() if status == ActionStatus.DONE else None
        if due_on is not None:
            action.due_on = due_on
        if description is not None:
            action.description = description.strip()
        changes = diff(before, snapshot(action, ACTION_FIELDS))
        if changes:
            action.save(
                update_fields=["status", "completed_on", "due_on", "description", "updated_at"]
            )
            changes["action"] = [action.pk, action.pk]
            record(actor, case, "case.action_update", changes)
    return action


def follow_up_record(
    *,
    actor: "User",
    case: ProtectionCase,
    contact_type: str,
    notes: str,
    followed_up_on: datetime.date | None = None,
    next_follow_up_on: datetime.date | None = None,
) -> CaseFollowUp:
    """Record a contact with the person and, if needed, when to see them next."""
    require_case_work(actor, case)
    today = timezone.localdate()
    followed_up_on = followed_up_on or today
    errors: dict[str, str] = {}
    if contact_type not in ContactType.values:
        errors["contact_type"] = _("Choose how the contact was made.")
    if not notes.strip():
        errors["notes"] = _("Write what was discussed or observed.")
    if followed_up_on > today:
        errors["followed_up_on"] = _("This date cannot be in the future.")
    elif followed_up_on < case.opened_on:
        errors["followed_up_on"] = _("The follow-up cannot be before the case was opened.")
    if next_follow_up_on is not None and next_follow_up_on < max(followed_up_on, today):
        errors["next_follow_up_on"] = _("The next follow-up must be today or later.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        if case.status not in FOLLOW_UP_STATUSES:
            raise ValidationError(_("Follow-ups are recorded once the plan is being carried out."))
        follow_up = CaseFollowUp.objects.create(
            case=case,
            followed_up_on=followed_up_on,
            contact_type=contact_type,
            notes=notes.strip(),
            next_follow_up_on=next_follow_up_on,
            recorded_by=actor,
        )
        changes = diff(
            {},
            snapshot(follow_up, ["followed_up_on", "contact_type", "notes", "next_follow_up_on"]),
        )
        changes["follow_up"] = [None, follow_up.pk]
        record(actor, case, "case.follow_up_record", changes)
    return follow_up


def assessment_record(
    *,
    actor: "User",
    case: ProtectionCase,
    risks_identified: str,
    assessed_on: datetime.date | None = None,
    specific_needs: Iterable[SpecificNeed] = (),
    immediate_safety_concern: bool = False,
    safety_plan: str = "",
    wishes: str = "",
) -> CaseAssessment:
    """Record an assessment (or a reassessment) of the person's situation."""
    require_case_work(actor, case)
    assessed_on = assessed_on or timezone.localdate()
    needs = list(specific_needs)
    errors: dict[str, str] = {}
    if not risks_identified.strip():
        errors["risks_identified"] = _("Describe the risks identified.")
    if immediate_safety_concern and not safety_plan.strip():
        errors["safety_plan"] = _("An immediate safety concern needs a safety plan.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("This date cannot be in the future.")
    elif assessed_on < case.opened_on:
        errors["assessed_on"] = _("The assessment cannot be before the case was opened.")
    adult = age_on(case.primary_person.date_of_birth, assessed_on) >= 18
    child_codes = sorted(n.code for n in needs if n.category.code in CHILD_NEED_CATEGORIES)
    if adult and child_codes:
        errors["specific_needs"] = _("These codes apply only to children under 18: %(codes)s.") % {
            "codes": ", ".join(child_codes)
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = lock(case)
        require_open(case)
        if case.status == CaseStatus.REGISTERED:
            raise ValidationError(_("Move the case to assessment before assessing it."))
        assessment = CaseAssessment.objects.create(
            case=case,
            assessed_on=assessed_on,
            risks_identified=risks_identified.strip(),
            immediate_safety_concern=immediate_safety_concern,
            safety_plan=safety_plan.strip(),
            wishes=wishes.strip(),
            assessed_by=actor,
        )
        assessment.specific_needs.set(needs)
        changes = diff(
            {},
            snapshot(
                assessment,
                [
                    "assessed_on",
                    "risks_identified",
                    "immediate_safety_concern",
                    "safety_plan",
                    "wishes",
                ],
            ),
        )
        changes["assessment"] = [None, assessment.pk]
        changes["specific_needs"] = [None, sorted(n.code for n in needs)]
        record(actor, case, "case.assessment_record", changes)
    return assessment

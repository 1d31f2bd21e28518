"""Selectors for the parts of a case file read one at a time: notes, assessments, plan, history.

Each returns the part of a case the user may see (else 404) and logs the read under the case
(object cases.protectioncase) with the part read, so that "who read this case's notes" is one
indexed lookup on the case in the access log. The case page reads the whole file through
`case_get` instead, logged as a read of the whole record.
"""

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from cases.casework.timeline import TimelineEntry, case_timeline
from cases.models import CaseAction, CaseAssessment, CaseFollowUp, CaseNote, ProtectionCase
from protection import access
from protection.models import AccessPurpose, RecordPart
from protection.reads import log_read

if TYPE_CHECKING:
    from protection.accounts.models import User


def _case_read(*, user: "User", pk: int, part: RecordPart) -> ProtectionCase:
    """Return the case if the user may see it (else 404), logging the part read."""
    case = get_object_or_404(access.cases_for(user), pk=pk)
    log_read(user=user, objects=[case], purpose=AccessPurpose.DETAIL, part=part)
    return case


def case_notes(*, user: "User", pk: int) -> QuerySet[CaseNote]:
    """Return the notes on the case, latest first, with their authors; log the read."""
    case = _case_read(user=user, pk=pk, part=RecordPart.NOTES)
    return case.notes.select_related("author")


def case_assessments(*, user: "User", pk: int) -> QuerySet[CaseAssessment]:
    """Return the case's assessments, latest first, with their needs; log the read."""
    case = _case_read(user=user, pk=pk, part=RecordPart.ASSESSMENTS)
    return case.assessments.select_related("assessed_by").prefetch_related("specific_needs")


def case_actions(*, user: "User", pk: int) -> QuerySet[CaseAction]:
    """Return the actions of the case plan, by due date; log the read."""
    case = _case_read(user=user, pk=pk, part=RecordPart.ACTIONS)
    return case.actions.select_related("responsible_user", "referral")


def case_follow_ups(*, user: "User", pk: int) -> QuerySet[CaseFollowUp]:
    """Return the case's follow-ups, latest first; log the read."""
    case = _case_read(user=user, pk=pk, part=RecordPart.FOLLOW_UPS)
    return case.follow_ups.select_related("recorded_by")


def case_history(*, user: "User", pk: int) -> list[TimelineEntry]:
    """Return everything that happened to the case, oldest first; log the read."""
    case = _case_read(user=user, pk=pk, part=RecordPart.TIMELINE)
    return case_timeline(user=user, case=case)


def case_action_get(*, user: "User", pk: int) -> CaseAction:
    """Return one action of a case plan the user may see, or 404; log it under its case."""
    cases = access.cases_for(user).values("pk")
    action = get_object_or_404(
        CaseAction.objects.filter(case__in=cases).select_related(
            "case", "responsible_user", "referral"
        ),
        pk=pk,
    )
    log_read(
        user=user, objects=[action.case], purpose=AccessPurpose.DETAIL, part=RecordPart.ACTIONS
    )
    return action

"""The case timeline: everything that happened to a case, read from its audit events.

Every casework service files its audit event under the case (object type
cases.protectioncase, actions named "case.*"), so the timeline is one range scan of the audit
index on (object type, object id, time): no second copy of the history exists.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import ProtectionCase
from protection import access
from protection.audit import object_type_of
from protection.models import AuditEvent

ACTION_LABELS: dict[str, Promise] = {
    "case.open": _("Case opened"),
    "case.update": _("Case details changed"),
    "case.transition": _("Status changed"),
    "case.reassign": _("Case worker changed"),
    "case.transfer": _("Case transferred to another agency"),
    "case.note_add": _("Note added"),
    "case.assessment_record": _("Assessment recorded"),
    "case.action_add": _("Action added to the case plan"),
    "case.action_update": _("Case plan action updated"),
    "case.follow_up_record": _("Follow-up recorded"),
    "case.close": _("Case closed"),
    "case.closure_request": _("Closure requested"),
    "case.closure_approve": _("Closure approved; case closed"),
    "case.closure_reject": _("Closure rejected"),
    "case.reopen": _("Case reopened"),
    "case.referral_create": _("Referral made"),
    "case.referral_override_approve": _("Referral without consent approved and sent"),
    "case.referral_override_reject": _("Referral without consent rejected"),
    "case.referral_accept": _("Referral accepted by the partner"),
    "case.referral_decline": _("Referral declined by the partner"),
    "case.referral_complete": _("Referral completed by the partner"),
    "case.referral_cancel": _("Referral cancelled"),
    "case.referral_remind": _("Overdue referral: reminders sent"),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the case, for a person to read."""

    at: datetime.datetime
    action: str
    label: str
    actor: str
    agency: str
    changes: dict[str, Any]


def _label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def case_timeline(*, user: Any, case: ProtectionCase) -> list[TimelineEntry]:
    """Return the case's history, oldest first, if the user may see the case (else 404)."""
    if not access.cases_for(user).filter(pk=case.pk).exists():
        raise Http404
    events = (
        AuditEvent.objects.filter(object_type=object_type_of(case), object_id=str(case.pk))
        .select_related("actor", "agency")
        .order_by("created_at", "id")
    )
    return [
        TimelineEntry(
            at=event.created_at,
            action=event.action,
            label=_label(event.action),
            actor=str(event.actor) if event.actor else str(_("System")),
            agency=str(event.agency) if event.agency else "",
            changes=event.changes,
        )
        for event in events
    ]

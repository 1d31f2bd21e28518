"""The case timeline: everything that happened to a case, read from its audit events.

Every casework service files its audit event under the case (object type
cases.protectioncase, actions named "case.*"), so the timeline is one range scan of the audit
index on (object type, object id, time). The events say who, when, what, and the values of
statuses, levels, dates and ids; they keep no free text. The words are read, in the same
query, from the rows the events point to (the note, the follow-up, the action, the assessment,
the referral) and from the case's history texts (cases.casework.history).
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import (
    CaseAction,
    CaseAssessment,
    CaseEventText,
    CaseFollowUp,
    CaseNote,
    ProtectionCase,
    Referral,
)
from protection import access
from protection.audit import object_type_of
from protection.audit_values import is_value_hash
from protection.models import AuditEvent

if TYPE_CHECKING:
    from protection.accounts.models import User

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


def _pointer(name: str) -> Cast:
    """The id an event recorded under `name` ([before, after]: the after)."""
    return Cast(KeyTextTransform("1", KeyTransform(name, "changes")), BigIntegerField())


def _row_text(model: type[models.Model], case: ProtectionCase, pointer: str, field: str) -> Any:
    rows = model._default_manager.filter(case_id=case.pk, pk=OuterRef(f"{pointer}_id"))
    return Subquery(rows.values(field)[:1])


# Text field -> (model, pointer) of the row it is read back from (cases.casework.history).
_ROW_TEXTS: dict[str, tuple[type[models.Model], str]] = {
    "text": (CaseNote, "note"),
    "notes": (CaseFollowUp, "follow_up"),
    "description": (CaseAction, "action"),
    "risks_identified": (CaseAssessment, "assessment"),
    "decline_reason": (Referral, "referral"),
    "outcome": (Referral, "referral"),
    "cancel_reason": (Referral, "referral"),
}
# Events that wrote the text now in the row: the row still says what the event wrote.
_ROW_WRITTEN_BY = {
    "text": {"case.note_add"},
    "notes": {"case.follow_up_record"},
    "description": {"case.action_add"},
    "risks_identified": {"case.assessment_record"},
    "decline_reason": {"case.referral_decline"},
    "outcome": {"case.referral_complete"},
    "cancel_reason": {"case.referral_cancel"},
}


def _changes(event: AuditEvent) -> dict[str, Any]:
    """Return the event's changes in words: safe values, and texts from where they live."""
    changes: dict[str, Any] = dict(event.changes)
    for name, texts in _event_texts(event).items():
        changes[name] = texts
    for name in _ROW_TEXTS:
        value = getattr(event, f"row_{name}", None)
        if name in changes and value is not None and event.action in _ROW_WRITTEN_BY[name]:
            changes[name] = [None, value]
    # A keyed hash proves a value to someone holding the key; a reader learns nothing from it.
    return {
        name: [None if is_value_hash(v) else v for v in value] if isinstance(value, list) else value
        for name, value in changes.items()
    }


def _event_texts(event: AuditEvent) -> dict[str, Any]:
    try:
        texts: dict[str, Any] = event.case_text.texts
    except CaseEventText.DoesNotExist:
        return {}
    return texts


def case_timeline(*, user: "User", case: ProtectionCase) -> list[TimelineEntry]:
    """Return the case's history, oldest first, if the user may see the case (else 404)."""
    if not access.cases_for(user).filter(pk=case.pk).exists():
        raise Http404
    events = (
        AuditEvent.objects.filter(object_type=object_type_of(case), object_id=str(case.pk))
        .select_related("actor", "agency", "case_text")
        .annotate(**{f"{pointer}_id": _pointer(pointer) for _m, pointer in _ROW_TEXTS.values()})
        .annotate(
            **{
                f"row_{name}": _row_text(model, case, pointer, name)
                for name, (model, pointer) in _ROW_TEXTS.items()
            }
        )
        .order_by("created_at", "id")
    )
    return [
        TimelineEntry(
            at=event.created_at,
            action=event.action,
            label=_label(event.action),
            actor=str(event.actor) if event.actor else str(_("System")),
            agency=str(event.agency) if event.agency else "",
            changes=_changes(event),
        )
        for event in events
    ]

"""Where the words of each step of a case's history live, now that the audit trail keeps none.

An audit event filed under a case keeps who, when, what and the names of the changed fields;
free text gets a keyed hash there (protection.audit_values). For the timeline, the text of a
note, an assessment, an action, a follow-up or a referral answer is read from that row, which
the event points to by id; any other text (reasons, summaries, closure notes) is written by
`event_texts_save` into a CaseEventText row beside the event, in the same transaction.
"""

from collections.abc import Mapping
from typing import Any

from cases.models import CaseEventText, ProtectionCase
from protection.audit_values import is_secret, may_keep_value
from protection.models import AuditEvent

CASE_OBJECT_TYPE = "cases.protectioncase"

# Pointer name in the event's changes -> the text fields read back from the row it points to.
ROW_BACKED: Mapping[str, frozenset[str]] = {
    "note": frozenset({"text"}),
    "follow_up": frozenset({"notes"}),
    "action": frozenset({"description"}),
    "assessment": frozenset({"risks_identified", "safety_plan", "wishes"}),
    "referral": frozenset({"decline_reason", "outcome", "cancel_reason"}),
}


def texts_without_row(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the free-text changes that no row the event points to holds."""
    backed: set[str] = set()
    for pointer, names in ROW_BACKED.items():
        if pointer in changes:
            backed |= names
    return {
        name: value
        for name, value in changes.items()
        if name not in backed and not is_secret(name) and not may_keep_value(CASE_OBJECT_TYPE, name)
    }


def event_texts_save(
    *, case: ProtectionCase, event: AuditEvent, changes: Mapping[str, Any]
) -> CaseEventText | None:
    """Keep beside the event the texts it changed that have no row of their own."""
    texts = texts_without_row(changes)
    if not texts:
        return None
    return CaseEventText.objects.create(case=case, event=event, texts=texts)

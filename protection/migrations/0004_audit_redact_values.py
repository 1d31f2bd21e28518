"""Redact the values and object names the audit trail copied before it learnt to point.

Until now services copied notes, summaries, reasons, names, phone numbers and addresses into
AuditEvent.changes, and the person's name into object_repr (str(obj)). This migration rewrites
every existing row with the rules new rows follow (protection.audit_values): the names of the
changed fields stay, values stay only for statuses, dates, codes, ids and counts, every other
value becomes its keyed hash, and object_repr becomes the record's code, or "<type> #<id>".

The table is append-only in PostgreSQL (trigger protection_auditevent_append_only, migration
0002). For exactly this one controlled redaction the trigger is disabled inside the migration's
transaction and enabled again before it commits, so no other UPDATE can slip through; if
anything fails, the transaction rolls back with the trigger still in place. SQLite (the dev
default) has no trigger and needs neither step. Redaction cannot be undone: backwards is a
no-op.

Before a case's event is redacted, the texts it copied that no row of the case holds (reasons
for reopening, transferring or reassigning, summaries as they changed, closure notes) are moved
to a CaseEventText row beside the event, as new events keep them (cases.casework.history), so
the case timeline loses nothing; that table lives and dies with the case file.
"""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import migrations

from protection.audit_values import (
    CODE_FIELDS,
    is_secret,
    may_keep_value,
    object_label,
    redact_changes,
)

# Frozen here as they stood when this migration was written (cases.casework.history), so that
# the migration keeps its meaning whatever the app's code becomes.
CASE_OBJECT_TYPE = "cases.protectioncase"
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

TABLE = "protection_auditevent"
TRIGGER = f"{TABLE}_append_only"
BATCH = 2000


def _trigger_exists(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [TRIGGER, TABLE],
        )
        return cursor.fetchone() is not None


def _code_field(apps, object_type):
    """Return (model, code field) for an object type, or (None, None) without a code."""
    app_label, _dot, model_name = object_type.partition(".")
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None, None
    names = {field.name for field in model._meta.concrete_fields}
    for name in CODE_FIELDS:
        if name in names:
            return model, name
    return model, None


def _codes(apps, events, code_fields):
    """Return {(object type, object id): code} for the events' objects, one query per type."""
    wanted = defaultdict(set)
    for event in events:
        wanted[event.object_type].add(event.object_id)
    codes = {}
    for object_type, ids in wanted.items():
        if object_type not in code_fields:
            code_fields[object_type] = _code_field(apps, object_type)
        model, field = code_fields[object_type]
        if model is None or field is None:
            continue
        pks = [pk for pk in ids if pk.isdigit()]
        for pk, code in model._base_manager.filter(pk__in=pks).values_list("pk", field):
            codes[(object_type, str(pk))] = code
    return codes


def _keep_case_texts(apps, events):
    """Move the texts of case events that no case row holds to CaseEventText, once."""
    CaseEventText = apps.get_model("cases", "CaseEventText")
    ProtectionCase = apps.get_model("cases", "ProtectionCase")
    texts = {
        event.pk: (int(event.object_id), kept)
        for event in events
        if event.object_type == CASE_OBJECT_TYPE
        and event.object_id.isdigit()
        and (kept := texts_without_row(event.changes or {}))
    }
    if not texts:
        return
    cases = set(
        ProtectionCase._base_manager.filter(
            pk__in={case_id for case_id, _kept in texts.values()}
        ).values_list("pk", flat=True)
    )
    done = set(
        CaseEventText._base_manager.filter(event_id__in=texts).values_list("event_id", flat=True)
    )
    CaseEventText._base_manager.bulk_create(
        CaseEventText(case_id=case_id, event_id=event_id, texts=kept)
        for event_id, (case_id, kept) in texts.items()
        if case_id in cases and event_id not in done
    )


def _redact_batch(apps, AuditEvent, events, code_fields):
    _keep_case_texts(apps, events)
    codes = _codes(apps, events, code_fields)
    changed = []
    for event in events:
        changes = redact_changes(event.object_type, event.changes)
        code = codes.get((event.object_type, event.object_id))
        label = object_label(event.object_type, event.object_id, code)
        if changes != event.changes or label != event.object_repr:
            event.changes, event.object_repr = changes, label
            changed.append(event)
    AuditEvent._base_manager.bulk_update(changed, ["changes", "object_repr"], batch_size=500)
    return len(changed)


def redact(apps, schema_editor):
    AuditEvent = apps.get_model("protection", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    guarded = postgres and _trigger_exists(schema_editor)
    if guarded:
        # PostgreSQL refuses to alter a table with deferred checks still pending: run them.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
    code_fields = {}
    rows = AuditEvent._base_manager.order_by("pk").only(
        "pk", "object_type", "object_id", "object_repr", "changes"
    )
    last = 0
    while True:
        events = list(rows.filter(pk__gt=last)[:BATCH])
        if not events:
            break
        _redact_batch(apps, AuditEvent, events, code_fields)
        last = events[-1].pk
    if guarded:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [
        ("protection", "0003_audit_action_index"),
        # The models whose codes name the audited objects.
        ("camps", "0001_initial"),
        ("cases", "0005_case_event_texts"),
        ("incidents", "0002_incident_linked_case"),
        ("partners", "0002_services_and_agreements"),
    ]
    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]

"""Decide which changed values the audit trail may keep: the trail points, it does not copy.

An audit event names every changed field, but keeps the value only of fields on the allow-list
below: statuses, levels, choices, dates, codes, counts, booleans and ids. Every other value (a
note, a summary, a reason, a name, a phone number, an address, a date of birth, a description,
and any name nobody thought of) is replaced by a keyed hash, so that someone holding the key
can prove what a value was without the trail ever holding it in clear. Default is redact.

This module depends on nothing but settings, so that the data migration that redacts the rows
written before it (protection/migrations/0004_audit_redact_values.py) applies the same rules.
"""

import functools
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

# Values under these names are masked outright, whatever the caller passes.
SECRET_FIELD_MARKERS = ("password", "token", "secret", "digest", "key_hash")
MASK = "***"
HASH_PREFIX = "hmac:"
# 128 bits of HMAC-SHA256 (RFC 2104 allows truncating to half the output): enough to prove a
# value, short enough that a registration does not double the size of its audit rows.
HASH_HEX_LENGTH = 32
# Domain separation: the same key never signs anything else with this salt.
HASH_SALT = "protection.audit.redacted-value"
# A kept value that is a string must look like a code, a date or a short label.
KEPT_TEXT_MAX_LENGTH = 80

# Names whose values are kept for any object: workflow states and levels, choices, dates,
# counts, booleans, codes, and foreign keys recorded as ids.
KEPT_EVERYWHERE = frozenset(
    {
        # Cases, their plan, follow-ups, assessments, closure and approvals.
        "assessed_on",
        "case_type",
        "closed_on",
        "closure_reason",
        "completed_on",
        "confidential",
        "contact_type",
        "due_on",
        "durable_solution",
        "followed_up_on",
        "immediate_safety_concern",
        "linked_persons",
        "next_follow_up_on",
        "opened_on",
        "person_status",
        "risk_level",
        "specific_needs",
        # Referrals and their reminders.
        "consent_basis",
        "last_reminded_at",
        "override_reason",
        "recipients",
        "response_due_at",
        "shared_fields",
        "urgency",
        # Registry: codes, ids and dates that are not about the person's identity.
        "arrived_on",
        "candidate",
        "consent_date",
        "consent_given_by",
        "date_of_birth_estimated",
        "displaced_on",
        "consent_scope",
        "correction_reason",
        "registered_on",
        "relationship_to_head",
        "score",
        "status",
        "status_changed_on",
        # Incidents and alerts.
        "acknowledged_at",
        "admins_told",
        "deliveries",
        "early_warning",
        "female_adults",
        "female_children",
        "latitude",
        "longitude",
        "male_adults",
        "male_children",
        "occurred_at",
        "occurred_precision",
        "reported_at",
        "severity",
        "sex_or_age_unknown",
        "source",
        "tier",
        "tiers",
        "verification",
        # Sites, partners, agreements, users, tokens, subscriptions, reference lists.
        "accepting_referrals",
        "active",
        "child_protection",
        "involves_children",
        "notify_email",
        "notify_in_app",
        "notify_webhook",
        "restricted",
        "agency_type",
        "capacity",
        "code",
        "data_categories",
        "events",
        "expiry",
        "gbv_designated",
        "is_active",
        "is_staff",
        "is_superuser",
        "preferred_language",
        "purposes",
        "reference",
        "revoked_api_keys",
        "role",
        "sort_order",
        "taxonomy",
        "trigger",
        "valid_from",
        "valid_to",
        # The second factor: which kind of device, and how many (never a code or a secret).
        "device_type",
        "otp_devices",
        "recovery_codes",
        # Retention and erasure: which rule, when, how many; never what was removed.
        "anonymised_on",
        "before",
        "erasure_reason",
        "legal_hold",
        "period",
        "records",
        "retention_kind",
        "unit",
        "up_to_seq",
        # A site's headcount corrected by the recount: figures, not people.
        "individuals",
        "households",
        # ... and its counts by sex and month of birth: how many were corrected.
        "cells",
        # Linked reports of one event: how many reports an event held when dissolved.
        "reports",
    }
)

# Names that hold the id of another row (a foreign key, or the note, action or referral an
# event is about): kept only while they hold ids, never text.
KEPT_IDS = frozenset(
    {
        "acknowledged_by",
        "action",
        "agency",
        "agency_one",
        "agency_two",
        "approval",
        "assessment",
        "assigned_to",
        "correction",
        "country",
        "displacement_status",
        "event",
        "follow_up",
        "household",
        "identifier",
        "import_row",
        "incident_type",
        "linked_case",
        "managing_agency",
        "note",
        "operating_agencies",
        "owning_agency",
        # A passkey's row id (django-otp-webauthn): never its credential id or key.
        "passkey",
        "perpetrator_category",
        "policy",
        "primary",
        "primary_person",
        "referral",
        "registry_import",
        "responsible_user",
        "sectors",
        "service",
        "site",
        "site_type",
        "to_agency",
        "victims",
    }
)

# The names of organisations, places and reference items are not about a person.
_ORGANISATION_NAMES = frozenset({"name", "name_fr", "name_ar", "acronym", "admin1", "admin2"})
# An export: which list, in what format, why, and the names (never the values) of its filters.
_EXPORT_FIELDS = frozenset({"dataset", "file_format", "purpose", "filters"})
KEPT_FOR_TYPE: Mapping[str, frozenset[str]] = {"protection.dataexport": _EXPORT_FIELDS} | {
    label: _ORGANISATION_NAMES
    for label in (
        "camps.country",
        "camps.site",
        "camps.sitetype",
        "cases.displacementstatus",
        "cases.specificneed",
        "cases.specificneedcategory",
        "incidents.escalationpolicy",
        "incidents.incidenttype",
        "incidents.perpetratorcategory",
        "partners.partneragency",
        "partners.sector",
        "partners.service",
    )
}

# The code a person reads for a record, by model, in the order tried; never a name.
CODE_FIELDS = ("registration_number", "case_number", "reference", "code")


@functools.lru_cache(maxsize=1024)
def is_secret(name: str) -> bool:
    """Return whether values under this name are credentials, masked outright (field names are
    few and the markers fixed: bulk audits ask about the same names thousands of times)."""
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_FIELD_MARKERS)


def may_keep_value(object_type: str, name: str) -> bool:
    """Return whether the audit trail may keep the values of `name` for this object type."""
    return (
        name in KEPT_EVERYWHERE
        or name in KEPT_IDS
        or name in KEPT_FOR_TYPE.get(object_type, frozenset())
    )


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain_enough(value: Any) -> bool:
    """Return whether a kept value is made of numbers, booleans and code-like strings only."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= KEPT_TEXT_MAX_LENGTH and "\n" not in value
    if isinstance(value, list | tuple):
        return all(_plain_enough(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_enough(v) for k, v in value.items())
    return False


def _is_ids(value: Any) -> bool:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return True
    return isinstance(value, list | tuple) and all(_is_ids(item) for item in value)


def _hash_key() -> str:
    key: str = getattr(settings, "AUDIT_HASH_KEY", "") or settings.SECRET_KEY
    return key


def value_hash(name: str, value: Any) -> str:
    """Return the keyed hash that stands for `value` of field `name` in the audit trail.

    HMAC-SHA256 under AUDIT_HASH_KEY (or SECRET_KEY), salted for this use only; the field
    name is part of the message so that equal values under different names do not match.
    """
    message = json.dumps([name, value], sort_keys=True, default=str, ensure_ascii=False)
    digest = salted_hmac(HASH_SALT, message, secret=_hash_key(), algorithm="sha256")
    return HASH_PREFIX + digest.hexdigest()[:HASH_HEX_LENGTH]


def is_value_hash(value: Any) -> bool:
    """Return whether a stored value is a keyed hash written by `value_hash`."""
    return isinstance(value, str) and value.startswith(HASH_PREFIX)


def _redact_value(name: str, value: Any) -> Any:
    if _is_empty(value) or value == MASK or is_value_hash(value):
        return value
    return value_hash(name, value)


def redact_change(object_type: str, name: str, change: Any) -> Any:
    """Return what the audit trail keeps of one field's change (normally [before, after])."""
    if is_secret(name):
        return [MASK, MASK]
    pair = isinstance(change, list | tuple) and len(change) == 2
    values = list(change) if pair else [change]
    shape_ok = _is_ids if name in KEPT_IDS else _plain_enough
    if may_keep_value(object_type, name) and all(shape_ok(v) for v in values):
        return list(change) if pair else change
    redacted = [_redact_value(name, v) for v in values]
    return redacted if pair else redacted[0]


def redact_changes(object_type: str, changes: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the changes as the audit trail keeps them: every name, safe values only."""
    return {name: redact_change(object_type, name, c) for name, c in (changes or {}).items()}


def object_label(object_type: str, pk: Any, code: str | None) -> str:
    """Return the non-personal text that names an audited object: its code, else type and id."""
    if code:
        return str(code)[:200]
    return f"{object_type} #{pk}"[:200]


def code_of(instance: Any) -> str | None:
    """Return the record's code (P-…, H-…, C-…, I-…, R-…, a site's code), if it has one."""
    names = {field.name for field in instance._meta.concrete_fields}
    for name in CODE_FIELDS:
        if name in names:
            value = getattr(instance, name, None)
            if value:
                return str(value)
    return None

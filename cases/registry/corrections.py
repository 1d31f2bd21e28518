"""Correct one field of a person's record on their request, with the reason recorded.

A correction is a change with a reason: the same registration rules as an edit apply
(services.person_candidate), a PersonCorrection row keeps the field, the reason code and the
officer's note, and the audit event names the field and the reason code. Like every change of
a person's details, the audit event keeps a keyed hash of the values, never the values.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from camps.models import Country
from cases.models import CorrectionReason, DisplacedPerson, PersonCorrection
from cases.registry.duplicates import SEARCH_KEY_FIELDS
from cases.registry.headcount import (
    COUNTED_FIELDS,
    people_details_changed,
    people_details_changing,
)
from cases.registry.services import person_candidate
from protection import access
from protection.access import Action
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from protection.accounts.models import User

# The registry fields a person may have corrected: who they are and how to reach them. Status,
# household and consent have their own services, which record their own reasons.
CORRECTABLE_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "sex",
    "date_of_birth",
    "nationality",
    "languages",
    "origin_country",
    "origin_location",
    "displaced_on",
    "arrived_on",
    "phone",
)
NOTE_MAX_LENGTH = PersonCorrection._meta.get_field("note").max_length or 500


def correctable_field_choices() -> list[tuple[str, "str | Promise"]]:
    """Return (field name, label) of the fields a correction may change."""
    return [(name, _model_field(name).verbose_name) for name in CORRECTABLE_FIELDS]


def _model_field(name: str) -> "models.Field[Any, Any]":
    field = DisplacedPerson._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _parse(field_name: str, value: str) -> Any:
    """Return the typed value the officer typed for the field, or a "value" error."""
    field = _model_field(field_name)
    text = value.strip()
    if isinstance(field, models.ForeignKey):
        if not text:
            return None
        country = Country.objects.filter(code__iexact=text).first()
        if country is None:
            raise ValidationError(
                {"value": _("Type a country code from the list (ISO 3166, e.g. SSD).")}
            )
        return country
    if not text and isinstance(field, models.DateField) and field.null:
        return None
    try:
        return field.to_python(text)
    except ValidationError as error:
        raise ValidationError({"value": error.messages}) from None


def _on_value(error: ValidationError, field_name: str) -> ValidationError:
    """Return the refusal with the corrected field's messages shown on the new value."""
    messages = error.message_dict
    if field_name in messages:
        messages["value"] = messages.pop(field_name)
    return ValidationError(messages)


def person_correct(
    *,
    actor: "User",
    person: DisplacedPerson,
    field_name: str,
    value: str,
    reason: str,
    note: str = "",
) -> PersonCorrection:
    """Correct one field of the person's record and record why; audit the field and reason.

    Raise ValidationError keyed "field", "value", "reason" or "note" for bad input (nothing is
    written), and PermissionDenied when the actor may not correct this person's record.
    """
    access.require(actor, Action.ANSWER_SUBJECT_REQUESTS)
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    if person.anonymised_on is not None:
        raise ValidationError(_("This record was anonymised: its details cannot be changed."))
    errors: dict[str, str] = {}
    if field_name not in CORRECTABLE_FIELDS:
        errors["field"] = _("Choose a field that can be corrected.")
    if reason not in CorrectionReason.values:
        errors["reason"] = _("Choose why the field is corrected.")
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)
    parsed = _parse(field_name, value)
    before = snapshot(person, [field_name])
    try:
        candidate = person_candidate(person=person, changes={field_name: parsed})
    except ValidationError as error:
        raise _on_value(error, field_name) from None
    field_changes = diff(before, snapshot(candidate, [field_name]))
    if not field_changes:
        raise ValidationError({"value": _("This is already the recorded value.")})
    with transaction.atomic():
        if field_name in COUNTED_FIELDS:
            people_details_changing([candidate.pk])
        candidate.save(update_fields=[field_name, *SEARCH_KEY_FIELDS, "updated_at"])
        if field_name in COUNTED_FIELDS:
            people_details_changed([candidate.pk])
        correction = PersonCorrection.objects.create(
            person=candidate,
            field_name=field_name,
            reason=reason,
            note=note.strip(),
            corrected_by=actor,
        )
        audit_record(
            actor=actor,
            action="person.correct",
            obj=candidate,
            changes={
                **field_changes,
                "correction": [None, correction.pk],
                "correction_reason": [None, reason],
            },
        )
    return correction

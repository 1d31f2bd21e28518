"""A person's edit: the editable details, validated as at registration, merged against a base.

An officer edits the record from a page or the API, perhaps from a form opened long ago or
offline: with the base the edit started from, each field is compared three ways
(protection.edits), so that a change saved meanwhile by someone else is never overwritten.
"""

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import DisplacedPerson, PersonSpecificNeed, Relationship, SpecificNeed
from cases.registry.duplicates import SEARCH_KEY_FIELDS, search_keys
from cases.registry.headcount import (
    COUNTED_FIELDS,
    people_details_changed,
    people_details_changing,
)
from cases.registry.records import PersonData, validate_person
from protection import access, edits
from protection.access import Action
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User


EDITABLE_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "sex",
    "date_of_birth",
    "date_of_birth_estimated",
    "nationality",
    "languages",
    "displacement_status",
    "origin_country",
    "origin_location",
    "displaced_on",
    "arrived_on",
    "phone",
    "documents",
    "relationship_to_head",
    "consent_date",
    "consent_given_by",
    "consent_scope",
)


def person_candidate(
    *,
    person: DisplacedPerson,
    changes: dict[str, Any],
    specific_needs: list[SpecificNeed] | None = None,
) -> DisplacedPerson:
    """Return a fresh copy of the person with `changes` applied and validated, not saved.

    The registration rules apply (cases.registry.records.validate_person), the household
    keeps one head, and the search keys follow the names. Raise ValidationError by field.
    """
    candidate = DisplacedPerson.objects.get(pk=person.pk)
    for name, value in changes.items():
        setattr(candidate, name, value)
    today = timezone.localdate()
    data = PersonData(
        given_name=candidate.given_name,
        family_name=candidate.family_name,
        sex=candidate.sex,
        relationship_to_head=candidate.relationship_to_head,
        displacement_status=candidate.displacement_status,
        consent_date=candidate.consent_date,
        consent_given_by=candidate.consent_given_by,
        date_of_birth=candidate.date_of_birth,
        displaced_on=candidate.displaced_on,
        arrived_on=candidate.arrived_on,
        specific_needs=specific_needs
        if specific_needs is not None
        else list(person.specific_needs.select_related("category")),
    )
    validate_person(data, candidate.date_of_birth, today)
    if (
        candidate.relationship_to_head == Relationship.HEAD
        and person.relationship_to_head != Relationship.HEAD
        and DisplacedPerson.objects.filter(
            household_id=candidate.household_id, relationship_to_head=Relationship.HEAD
        )
        .exclude(pk=candidate.pk)
        .exists()
    ):
        raise ValidationError({"relationship_to_head": _("This household already has a head.")})
    keys = search_keys(candidate.given_name, candidate.family_name, candidate.other_names)
    for name, value in keys.as_fields().items():
        setattr(candidate, name, value)
    candidate.documents = sorted(candidate.documents or [])
    candidate.full_clean(
        exclude=["site", "household", "owning_agency"],
        validate_unique=False,
        validate_constraints=False,
    )
    return candidate


def person_editable_values(person: DisplacedPerson) -> dict[str, Any]:
    """Return the editable details as an edit's base holds them (comparable, needs by code)."""
    values = {name: getattr(person, name) for name in EDITABLE_FIELDS}
    values["specific_needs"] = list(person.specific_needs.values_list("code", flat=True))
    return edits.comparable_all(values)


def person_update(
    *,
    actor: "User",
    person: DisplacedPerson,
    changes: dict[str, Any],
    specific_needs: Iterable[SpecificNeed] | None = None,
    base: Mapping[str, Any] | None = None,
) -> DisplacedPerson:
    """Change a person's recorded details; audit every field that changed.

    With a `base` (the values the editor started from, as person_editable_values gives
    them), each field is merged three ways (protection.edits): one changed meanwhile by
    someone else to another value raises EditConflict, audited by field names; nothing is
    saved. Without one, the changes given are written as given.
    """
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    if person.anonymised_on is not None:
        # Retention or an erasure removed who this was; nobody may write it back.
        raise ValidationError(_("This record was anonymised: its details cannot be changed."))
    submitted = dict(changes)
    if specific_needs is not None:
        submitted["specific_needs"] = list(specific_needs)
    if base is not None and set(submitted) - set(base):
        raise ValidationError({"base": _("Give the base value of every field you change.")})
    conflict = None
    with transaction.atomic():
        if base is not None:
            # The row locked, so that two saves from the same base cannot both pass the merge.
            person = DisplacedPerson.objects.select_for_update(of=("self",)).get(pk=person.pk)
            current = person_editable_values(person)
            outcome = edits.merge(base=base, current=current, submitted=submitted)
            if outcome.conflicts:
                conflict = edits.EditConflict(outcome.conflicts, current)
                audit_record(
                    actor=actor,
                    action="person.edit_conflict",
                    obj=person,
                    changes=edits.conflict_audit(conflict.fields),
                )
            submitted = outcome.changes
        if conflict is None:
            needs = submitted.pop("specific_needs", None)
            person = _person_apply(
                actor=actor, person=person, changes=submitted, specific_needs=needs
            )
    if conflict is not None:
        raise conflict
    return person


def _person_apply(
    *,
    actor: "User",
    person: DisplacedPerson,
    changes: dict[str, Any],
    specific_needs: Iterable[SpecificNeed] | None,
) -> DisplacedPerson:
    before = snapshot(person, EDITABLE_FIELDS)
    old_needs = set(person.specific_needs.values_list("code", flat=True))
    new_needs = list(specific_needs) if specific_needs is not None else None

    candidate = person_candidate(person=person, changes=changes, specific_needs=new_needs)

    after = snapshot(candidate, EDITABLE_FIELDS)
    field_changes = diff(before, after)
    counted = bool(COUNTED_FIELDS & changes.keys())
    with transaction.atomic():
        if counted:
            people_details_changing([candidate.pk])
        candidate.save(update_fields=[*changes.keys(), *SEARCH_KEY_FIELDS, "updated_at"])
        if counted:
            people_details_changed([candidate.pk])
        if new_needs is not None:
            new_codes = {n.code for n in new_needs}
            if new_codes != old_needs:
                candidate.need_records.exclude(need__in=new_needs).delete()
                PersonSpecificNeed.objects.bulk_create(
                    [
                        PersonSpecificNeed(person=candidate, need=n, recorded_by=actor)
                        for n in new_needs
                        if n.code not in old_needs
                    ]
                )
                field_changes["specific_needs"] = [sorted(old_needs), sorted(new_codes)]
        if field_changes:
            audit_record(actor=actor, action="person.update", obj=candidate, changes=field_changes)
    return candidate

"""Every write to the registry: register households and people, edit them, change status.

Each service validates, writes inside one transaction, and records the audit event there too.
Views, API views, admin actions and commands all call these; none of them writes by itself.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from cases.models import (
    DisplacedPerson,
    Household,
    PersonStatus,
    Relationship,
)
from cases.registry.headcount import (
    household_lock,
    household_moved,
    households_registered,
    members_activated,
)

# A person's edit lives in its own module (cases.registry.person_edits); named here too, as
# every write of the registry is.
from cases.registry.person_edits import EDITABLE_FIELDS as EDITABLE_FIELDS
from cases.registry.person_edits import person_candidate as person_candidate
from cases.registry.person_edits import person_editable_values as person_editable_values
from cases.registry.person_edits import person_update as person_update
from cases.registry.records import (
    REFERENCE_FIELDS,
    AuditEntry,
    DuplicatesFound,
    HouseholdRegistration,
    PersonData,
    check_references,
    check_site,
    duplicates_for,
    person_from,
    record_people,
    record_person,
    resolve_birth_date,
    save_all_validated_with_codes,
    save_validated_with_code,
    validate_household,
    validate_person,
)
from protection import access, codes
from protection.access import Action
from protection.audit import audit_record, audit_record_many, diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User


def household_register(
    *,
    actor: "User",
    site: Site,
    members: Sequence[PersonData],
    address: str = "",
    registered_on: datetime.date | None = None,
) -> HouseholdRegistration:
    """Register a household and its members at a site in one transaction.

    Raise ValidationError for bad data (member fields keyed "members.<index>.<field>"),
    DuplicatesFound when a member has likely matches the officer has not dismissed,
    and PermissionDenied when the actor may not register people at the site.
    """
    check_site(actor, site)
    today = timezone.localdate()
    registered_on = registered_on or today
    validate_household(members, registered_on, today)

    resolved: list[tuple[PersonData, datetime.date, bool]] = []
    member_errors: dict[str, Any] = {}
    for index, data in enumerate(members):
        try:
            born, estimated = resolve_birth_date(data, today)
            validate_person(data, born, today)
            resolved.append((data, born, estimated))
        except ValidationError as error:
            # ValidationError cannot nest a dict in a dict, so member errors use flat keys.
            for name, messages in error.message_dict.items():
                member_errors[f"members.{index}.{name}"] = messages
    if member_errors:
        raise ValidationError(member_errors)

    candidates = duplicates_for(actor, resolved)
    unconfirmed = {i: c for i, c in candidates.items() if not members[i].confirm_not_duplicate}
    if unconfirmed:
        raise DuplicatesFound(unconfirmed)

    with transaction.atomic():
        household = Household(
            site=site,
            address=address.strip(),
            registered_on=registered_on,
            owning_agency=actor.agency,
            created_by=actor,
        )
        save_validated_with_code(household, "code", codes.HOUSEHOLD_PREFIX)
        audit: list[AuditEntry] = [
            (
                "household.register",
                household,
                diff(
                    {}, snapshot(household, ["site", "address", "registered_on", "owning_agency"])
                ),
            )
        ]
        people = [
            person_from(data, actor=actor, household=household, born=born, estimated=estimated)
            for data, born, estimated in resolved
        ]
        check_references(people)
        save_all_validated_with_codes(people, codes.PERSON_PREFIX, checked=REFERENCE_FIELDS)
        record_people(
            actor=actor,
            people=[
                (person, data, candidates.get(index, []))
                for index, (person, (data, _born, _estimated)) in enumerate(
                    zip(people, resolved, strict=True)
                )
            ],
            audit=audit,
        )
        audit_record_many(actor=actor, entries=audit)
        households_registered(
            site_id=site.pk, households=1, people=len(people), household_ids=[household.pk]
        )
    return HouseholdRegistration(household=household, members=people)


def person_register(*, actor: "User", household: Household, data: PersonData) -> DisplacedPerson:
    """Add one person to an existing household (a birth, a late arrival)."""
    if not access.households_for(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    check_site(actor, household.site)
    if (
        data.relationship_to_head == Relationship.HEAD
        and household.members.filter(relationship_to_head=Relationship.HEAD).exists()
    ):
        raise ValidationError({"relationship_to_head": _("This household already has a head.")})
    today = timezone.localdate()
    born, estimated = resolve_birth_date(data, today)
    validate_person(data, born, today)
    candidates = duplicates_for(actor, [(data, born, estimated)]).get(0, [])
    if candidates and not data.confirm_not_duplicate:
        raise DuplicatesFound({0: candidates})
    with transaction.atomic():
        site_id = household_lock(household.pk)
        person = person_from(data, actor=actor, household=household, born=born, estimated=estimated)
        save_validated_with_code(person, "registration_number", codes.PERSON_PREFIX)
        audit: list[AuditEntry] = []
        record_person(actor=actor, person=person, data=data, candidates=candidates, audit=audit)
        audit_record_many(actor=actor, entries=audit)
        members_activated(household_id=household.pk, site_id=site_id, person_id=person.pk, change=1)
    return person


def person_status_change(
    *,
    actor: "User",
    person: DisplacedPerson,
    status: str,
    reason: str,
    effective_on: datetime.date | None = None,
) -> DisplacedPerson:
    """Record that a person departed, died, was repatriated, resettled, ... with the reason."""
    access.require(actor, Action.CHANGE_PERSON_STATUS)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    return person_status_apply(
        actor=actor, person=person, status=status, reason=reason, effective_on=effective_on
    )


def person_status_apply(
    *,
    actor: "User",
    person: DisplacedPerson,
    status: str,
    reason: str,
    effective_on: datetime.date | None = None,
) -> DisplacedPerson:
    """Validate and record a status change whose access the caller has already checked.

    Case closure calls this: the right to close the case carries the right to record the
    durable solution it reached, even for a worker who cannot edit the registry.
    """
    today = timezone.localdate()
    effective_on = effective_on or today
    errors: dict[str, str] = {}
    if status not in PersonStatus.values:
        errors["status"] = _("Choose a valid status.")
    elif status == person.status:
        errors["status"] = _("The person already has this status.")
    elif person.status == PersonStatus.DECEASED:
        errors["status"] = _("A person recorded as deceased cannot change status.")
    if not reason.strip():
        errors["reason"] = _("Say why the status changes.")
    if effective_on > today:
        errors["effective_on"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(person, ["status", "status_reason", "status_changed_on"])
    with transaction.atomic():
        # The household first, then the person (the order relocation takes them in); the
        # status read under the lock is the one this change replaces, even after a
        # concurrent change of the same person.
        site_id = household_lock(person.household_id)
        was = (
            DisplacedPerson.objects.select_for_update()
            .filter(pk=person.pk)
            .values_list("status", flat=True)
            .get()
        )
        person.status, person.status_reason = status, reason.strip()
        person.status_changed_on = effective_on
        person.save(update_fields=["status", "status_reason", "status_changed_on", "updated_at"])
        members_activated(
            household_id=person.household_id,
            site_id=site_id,
            person_id=person.pk,
            change=int(status == PersonStatus.ACTIVE) - int(was == PersonStatus.ACTIVE),
        )
        audit_record(
            actor=actor,
            action="person.status_change",
            obj=person,
            changes=diff(
                before, snapshot(person, ["status", "status_reason", "status_changed_on"])
            ),
        )
    return person


def household_relocate(
    *, actor: "User", household: Household, site: Site, address: str = ""
) -> Household:
    """Move a household and all its members to another site of the agency."""
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.households_for(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    check_site(actor, site)
    if site.pk == household.site_id:
        raise ValidationError({"site": _("The household is already at this site.")})
    before = snapshot(household, ["site", "address"])
    with transaction.atomic():
        from_site_id = household_lock(household.pk)
        household.site, household.address = site, address.strip()
        household.save(update_fields=["site", "address"])
        household.members.update(site=site)
        household_moved(household_id=household.pk, from_site_id=from_site_id, to_site_id=site.pk)
        audit_record(
            actor=actor,
            action="household.relocate",
            obj=household,
            changes=diff(before, snapshot(household, ["site", "address"])),
        )
    return household

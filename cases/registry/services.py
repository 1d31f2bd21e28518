"""Every write to the registry: register households and people, edit them, change status.

Each service validates, writes inside one transaction, and records the audit event there too.
Views, API views, admin actions and commands all call these; none of them writes by itself.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Country, Site, SiteStatus
from cases import codes
from cases.models import (
    ConsentScope,
    DisplacedPerson,
    DisplacementStatus,
    DuplicateDecision,
    DuplicateReview,
    Household,
    PersonSpecificNeed,
    PersonStatus,
    Relationship,
    SpecificNeed,
)
from cases.registry.duplicates import Candidate, ProbeIdentity, find_candidates, search_keys
from protection import access
from protection.access import Action
from protection.audit import audit_record, diff, snapshot
from protection.dates import age_on, years_before

CHILD_NEED_CATEGORIES = frozenset({"CR", "SC"})
_CODE_ATTEMPTS = 5


@dataclass
class PersonData:
    """What an officer records about one person; forms and serializers build this."""

    given_name: str
    family_name: str
    sex: str
    relationship_to_head: str
    displacement_status: DisplacementStatus
    consent_date: datetime.date
    consent_given_by: str
    consent_scope: str = ConsentScope.REGISTRATION
    date_of_birth: datetime.date | None = None
    estimated_age: int | None = None
    other_names: str = ""
    nationality: Country | None = None
    languages: str = ""
    origin_country: Country | None = None
    origin_location: str = ""
    displaced_on: datetime.date | None = None
    arrived_on: datetime.date | None = None
    phone: str = ""
    documents: list[str] = field(default_factory=list)
    specific_needs: list[SpecificNeed] = field(default_factory=list)
    confirm_not_duplicate: bool = False


class DuplicatesFound(Exception):
    """Raised when likely matches exist and the officer has not confirmed 'not a duplicate'.

    `candidates` maps the index of each member in the submission to its matches.
    """

    def __init__(self, candidates: dict[int, list[Candidate]]) -> None:
        super().__init__("Possible duplicates found.")
        self.candidates = candidates


@dataclass(frozen=True)
class HouseholdRegistration:
    household: Household
    members: list[DisplacedPerson]


def _resolve_birth_date(data: PersonData, today: datetime.date) -> tuple[datetime.date, bool]:
    if data.date_of_birth is not None:
        return data.date_of_birth, False
    if data.estimated_age is None:
        raise ValidationError({"date_of_birth": _("Give a date of birth or an estimated age.")})
    if not 0 <= data.estimated_age <= 120:
        raise ValidationError({"estimated_age": _("An estimated age is between 0 and 120.")})
    return years_before(today, data.estimated_age).replace(month=1, day=1), True


def _validate_person(data: PersonData, born: datetime.date, today: datetime.date) -> None:
    """Collect every problem with one person's data into one ValidationError."""
    errors: dict[str, str] = {}
    if not data.given_name.strip():
        errors["given_name"] = _("Enter the given name.")
    if not data.family_name.strip():
        errors["family_name"] = _("Enter the family name.")
    if born > today:
        errors["date_of_birth"] = _("The date of birth cannot be in the future.")
    elif born < datetime.date(today.year - 120, 1, 1):
        errors["date_of_birth"] = _("The date of birth is more than 120 years ago.")
    if data.consent_date > today:
        errors["consent_date"] = _("Consent cannot be dated in the future.")
    for name in ("displaced_on", "arrived_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors[name] = _("This date cannot be in the future.")
        elif value is not None and value < born:
            errors[name] = _("This date is before the date of birth.")
    if (
        data.displaced_on
        and data.arrived_on
        and "arrived_on" not in errors
        and data.arrived_on < data.displaced_on
    ):
        errors["arrived_on"] = _("Arrival at the site cannot be before displacement.")
    if not data.displacement_status.active:
        errors["displacement_status"] = _("This displacement status is no longer in use.")
    adult = age_on(born, today) >= 18
    child_codes = [n.code for n in data.specific_needs if n.category.code in CHILD_NEED_CATEGORIES]
    if adult and child_codes:
        errors["specific_needs"] = _("These codes apply only to children under 18: %(codes)s.") % {
            "codes": ", ".join(sorted(child_codes))
        }
    if errors:
        raise ValidationError(errors)


def _person_from(
    data: PersonData, *, actor: Any, household: Household, born: datetime.date, estimated: bool
) -> DisplacedPerson:
    keys = search_keys(data.given_name, data.family_name, data.other_names)
    return DisplacedPerson(
        household=household,
        site=household.site,
        owning_agency=household.owning_agency,
        relationship_to_head=data.relationship_to_head,
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        other_names=data.other_names.strip(),
        sex=data.sex,
        date_of_birth=born,
        date_of_birth_estimated=estimated,
        nationality=data.nationality,
        languages=data.languages.strip(),
        displacement_status=data.displacement_status,
        origin_country=data.origin_country,
        origin_location=data.origin_location.strip(),
        displaced_on=data.displaced_on,
        arrived_on=data.arrived_on,
        phone=data.phone.strip(),
        documents=sorted(data.documents),
        consent_date=data.consent_date,
        consent_given_by=data.consent_given_by,
        consent_scope=data.consent_scope,
        consent_recorded_by=actor,
        status=PersonStatus.ACTIVE,
        created_by=actor,
        name_search=keys.name_search,
        given_key=keys.given_key,
        family_key=keys.family_key,
    )


def _save_with_code(instance: Household | DisplacedPerson, attribute: str, prefix: str) -> None:
    """Insert with a fresh random code, drawing again on the (rare) collision."""
    for _attempt in range(_CODE_ATTEMPTS):
        setattr(instance, attribute, codes.new_code(prefix))
        try:
            with transaction.atomic():
                instance.full_clean(
                    exclude=["site", "household", "owning_agency"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                instance.save()
            return
        except IntegrityError:
            if (
                type(instance)
                ._default_manager.filter(**{attribute: getattr(instance, attribute)})
                .exists()
            ):
                continue
            raise
    raise RuntimeError("Could not draw a free code; the code space is exhausted.")


def _registration_fields() -> list[str]:
    skip = {"specific_needs", "confirm_not_duplicate", "estimated_age"}
    return [f.name for f in fields(PersonData) if f.name not in skip]


def _record_person(
    *, actor: Any, person: DisplacedPerson, data: PersonData, candidates: Sequence[Candidate]
) -> None:
    PersonSpecificNeed.objects.bulk_create(
        PersonSpecificNeed(person=person, need=need, recorded_by=actor)
        for need in data.specific_needs
    )
    DuplicateReview.objects.bulk_create(
        DuplicateReview(
            person=person,
            candidate=c.person,
            score=c.score,
            decision=DuplicateDecision.NOT_DUPLICATE,
            decided_by=actor,
        )
        for c in candidates
    )
    after = snapshot(
        person,
        [*_registration_fields(), "date_of_birth_estimated", "site", "household", "owning_agency"],
    )
    after["specific_needs"] = sorted(n.code for n in data.specific_needs)
    audit_record(actor=actor, action="person.register", obj=person, changes=diff({}, after))
    for candidate in candidates:
        audit_record(
            actor=actor,
            action="person.duplicate_dismissed",
            obj=person,
            changes={
                "candidate": [None, candidate.person.registration_number],
                "score": [None, candidate.score],
            },
        )


def _check_site(actor: Any, site: Site) -> None:
    if not access.site_allows_registration(actor, site):
        raise PermissionDenied
    if site.status != SiteStatus.OPEN:
        raise ValidationError({"site": _("This site is closed; people cannot be registered.")})


def _duplicates_for(
    actor: Any,
    members: Sequence[tuple[PersonData, datetime.date, bool]],
) -> dict[int, list[Candidate]]:
    visible = access.people_for(actor)
    found: dict[int, list[Candidate]] = {}
    for index, (data, born, estimated) in enumerate(members):
        probe = ProbeIdentity(
            data.given_name,
            data.family_name,
            data.sex,
            born,
            estimated,
            data.nationality.pk if data.nationality else None,
        )
        matches = find_candidates(queryset=visible, probe=probe)
        if matches:
            found[index] = matches
    return found


def household_register(
    *,
    actor: Any,
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
    _check_site(actor, site)
    today = timezone.localdate()
    registered_on = registered_on or today
    if registered_on > today:
        raise ValidationError(
            {"registered_on": _("The registration date cannot be in the future.")}
        )
    if not members:
        raise ValidationError({"members": _("A household has at least one member.")})
    heads = sum(1 for m in members if m.relationship_to_head == Relationship.HEAD)
    if heads != 1:
        raise ValidationError({"members": _("Mark exactly one member as head of household.")})

    resolved: list[tuple[PersonData, datetime.date, bool]] = []
    member_errors: dict[str, Any] = {}
    for index, data in enumerate(members):
        try:
            born, estimated = _resolve_birth_date(data, today)
            _validate_person(data, born, today)
            resolved.append((data, born, estimated))
        except ValidationError as error:
            # ValidationError cannot nest a dict in a dict, so member errors use flat keys.
            for name, messages in error.message_dict.items():
                member_errors[f"members.{index}.{name}"] = messages
    if member_errors:
        raise ValidationError(member_errors)

    candidates = _duplicates_for(actor, resolved)
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
        _save_with_code(household, "code", codes.HOUSEHOLD_PREFIX)
        audit_record(
            actor=actor,
            action="household.register",
            obj=household,
            changes=diff(
                {}, snapshot(household, ["site", "address", "registered_on", "owning_agency"])
            ),
        )
        people = []
        for index, (data, born, estimated) in enumerate(resolved):
            person = _person_from(
                data, actor=actor, household=household, born=born, estimated=estimated
            )
            _save_with_code(person, "registration_number", codes.PERSON_PREFIX)
            _record_person(
                actor=actor, person=person, data=data, candidates=candidates.get(index, [])
            )
            people.append(person)
    return HouseholdRegistration(household=household, members=people)


def person_register(*, actor: Any, household: Household, data: PersonData) -> DisplacedPerson:
    """Add one person to an existing household (a birth, a late arrival)."""
    if not access.households_for(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    _check_site(actor, household.site)
    if (
        data.relationship_to_head == Relationship.HEAD
        and household.members.filter(relationship_to_head=Relationship.HEAD).exists()
    ):
        raise ValidationError({"relationship_to_head": _("This household already has a head.")})
    today = timezone.localdate()
    born, estimated = _resolve_birth_date(data, today)
    _validate_person(data, born, today)
    candidates = _duplicates_for(actor, [(data, born, estimated)]).get(0, [])
    if candidates and not data.confirm_not_duplicate:
        raise DuplicatesFound({0: candidates})
    with transaction.atomic():
        person = _person_from(
            data, actor=actor, household=household, born=born, estimated=estimated
        )
        _save_with_code(person, "registration_number", codes.PERSON_PREFIX)
        _record_person(actor=actor, person=person, data=data, candidates=candidates)
    return person


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


def person_update(
    *,
    actor: Any,
    person: DisplacedPerson,
    changes: dict[str, Any],
    specific_needs: Iterable[SpecificNeed] | None = None,
) -> DisplacedPerson:
    """Change a person's recorded details; audit every field that changed."""
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    before = snapshot(person, EDITABLE_FIELDS)
    old_needs = set(person.specific_needs.values_list("code", flat=True))
    new_needs = list(specific_needs) if specific_needs is not None else None

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
        specific_needs=new_needs
        if new_needs is not None
        else list(person.specific_needs.select_related("category")),
    )
    _validate_person(data, candidate.date_of_birth, today)
    if (
        candidate.relationship_to_head == Relationship.HEAD
        and before["relationship_to_head"] != Relationship.HEAD
        and DisplacedPerson.objects.filter(
            household_id=candidate.household_id, relationship_to_head=Relationship.HEAD
        )
        .exclude(pk=candidate.pk)
        .exists()
    ):
        raise ValidationError({"relationship_to_head": _("This household already has a head.")})
    keys = search_keys(candidate.given_name, candidate.family_name, candidate.other_names)
    candidate.name_search, candidate.given_key, candidate.family_key = (
        keys.name_search,
        keys.given_key,
        keys.family_key,
    )
    candidate.documents = sorted(candidate.documents or [])
    candidate.full_clean(
        exclude=["site", "household", "owning_agency"],
        validate_unique=False,
        validate_constraints=False,
    )

    after = snapshot(candidate, EDITABLE_FIELDS)
    field_changes = diff(before, after)
    with transaction.atomic():
        candidate.save(
            update_fields=[*changes.keys(), "name_search", "given_key", "family_key", "updated_at"]
        )
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


def person_status_change(
    *,
    actor: Any,
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
    actor: Any,
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
        person.status, person.status_reason = status, reason.strip()
        person.status_changed_on = effective_on
        person.save(update_fields=["status", "status_reason", "status_changed_on", "updated_at"])
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
    *, actor: Any, household: Household, site: Site, address: str = ""
) -> Household:
    """Move a household and all its members to another site of the agency."""
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.households_for(actor).filter(pk=household.pk).exists():
        raise PermissionDenied
    _check_site(actor, site)
    if site.pk == household.site_id:
        raise ValidationError({"site": _("The household is already at this site.")})
    before = snapshot(household, ["site", "address"])
    with transaction.atomic():
        household.site, household.address = site, address.strip()
        household.save(update_fields=["site", "address"])
        household.members.update(site=site)
        audit_record(
            actor=actor,
            action="household.relocate",
            obj=household,
            changes=diff(before, snapshot(household, ["site", "address"])),
        )
    return household

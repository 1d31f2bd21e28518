"""What the registry's services are given and check: a person's data, the rules it must meet,
unique codes, and the duplicate check that may stop a registration.

Only cases.registry.services writes; this module builds and validates the rows it writes.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ForeignKey, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Country, Site, SiteStatus
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
from cases.registry.duplicates import (
    Candidate,
    ProbeIdentity,
    find_candidates_many,
    search_keys,
)
from protection import access, codes
from protection.audit import diff, snapshot
from protection.bulk_insert import insert_rows
from protection.dates import age_on, years_before

if TYPE_CHECKING:
    from protection.accounts.models import User

CHILD_NEED_CATEGORIES = frozenset({"CR", "SC"})
# An audit event to record: (action, object, changes), for protection.audit.audit_record_many.
AuditEntry = tuple[str, Model, dict[str, Any] | None]


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


def resolve_birth_date(data: PersonData, today: datetime.date) -> tuple[datetime.date, bool]:
    if data.date_of_birth is not None:
        return data.date_of_birth, False
    if data.estimated_age is None:
        raise ValidationError({"date_of_birth": _("Give a date of birth or an estimated age.")})
    if not 0 <= data.estimated_age <= 120:
        raise ValidationError({"estimated_age": _("An estimated age is between 0 and 120.")})
    return years_before(today, data.estimated_age).replace(month=1, day=1), True


def validate_household(
    members: Sequence[PersonData], registered_on: datetime.date, today: datetime.date
) -> None:
    """Check a household's own rules: its registration date and one head among its members."""
    if registered_on > today:
        raise ValidationError(
            {"registered_on": _("The registration date cannot be in the future.")}
        )
    if not members:
        raise ValidationError({"members": _("A household has at least one member.")})
    heads = sum(1 for m in members if m.relationship_to_head == Relationship.HEAD)
    if heads != 1:
        raise ValidationError({"members": _("Mark exactly one member as head of household.")})


def validate_person(data: PersonData, born: datetime.date, today: datetime.date) -> None:
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


def person_from(
    data: PersonData, *, actor: "User", household: Household, born: datetime.date, estimated: bool
) -> DisplacedPerson:
    return DisplacedPerson(
        household=household,
        site=household.site,
        owning_agency=household.owning_agency,
        consent_recorded_by=actor,
        created_by=actor,
        **person_fields(data, born=born, estimated=estimated),
    )


def person_fields(data: PersonData, *, born: datetime.date, estimated: bool) -> dict[str, Any]:
    """Return a new person's own field values by attribute name, from what was recorded.

    Everything but the household, site, agency and the officer who records it; the bulk
    import writes the same values without a model instance (cases.registry.imports.staging).
    """
    return {
        "relationship_to_head": data.relationship_to_head,
        "given_name": data.given_name.strip(),
        "family_name": data.family_name.strip(),
        "other_names": data.other_names.strip(),
        "sex": data.sex,
        "date_of_birth": born,
        "date_of_birth_estimated": estimated,
        "nationality_id": data.nationality.pk if data.nationality else None,
        "languages": data.languages.strip(),
        "displacement_status_id": data.displacement_status.pk,
        "origin_country_id": data.origin_country.pk if data.origin_country else None,
        "origin_location": data.origin_location.strip(),
        "displaced_on": data.displaced_on,
        "arrived_on": data.arrived_on,
        "phone": data.phone.strip(),
        "documents": sorted(data.documents),
        "consent_date": data.consent_date,
        "consent_given_by": data.consent_given_by,
        "consent_scope": data.consent_scope,
        "status": PersonStatus.ACTIVE,
        **search_keys(data.given_name, data.family_name, data.other_names).as_fields(),
    }


def save_validated_with_code(
    instance: Household | DisplacedPerson,
    attribute: str,
    prefix: str,
    checked: Sequence[str] = (),
) -> None:
    """Validate the row's own fields with its fresh code in place, then insert it.

    `checked` names foreign keys the caller has already checked (`check_references`).
    """
    codes.save_with_code(
        instance,
        attribute,
        prefix,
        clean=lambda: instance.full_clean(
            exclude=["site", "household", "owning_agency", *checked],
            validate_unique=False,
            validate_constraints=False,
        ),
    )


def save_all_validated_with_codes(
    people: Sequence[DisplacedPerson], prefix: str, checked: Sequence[str] = ()
) -> None:
    """`save_validated_with_code` for a household's people: validated one by one, inserted in
    one statement."""
    codes.bulk_save_with_codes(
        people,
        "registration_number",
        prefix,
        clean=lambda person: person.full_clean(
            exclude=["site", "household", "owning_agency", *checked],
            validate_unique=False,
            validate_constraints=False,
        ),
    )


# The foreign keys a registration sets from objects its caller loaded. `full_clean` would look
# each one up once per person (four queries a member); `check_references` makes the same
# checks once per registration, one query per model referred to.
REFERENCE_FIELDS = (
    "nationality",
    "origin_country",
    "displacement_status",
    "created_by",
    "consent_recorded_by",
)


def check_references(people: Sequence[DisplacedPerson]) -> None:
    """Check, as Model.full_clean would, that every person's references exist and are allowed."""
    by_model: dict[Any, dict[Any, list[str]]] = {}
    for name in REFERENCE_FIELDS:
        field = DisplacedPerson._meta.get_field(name)
        assert isinstance(field, ForeignKey)
        for person in people:
            value = getattr(person, field.attname)
            if value is not None:
                key = (field.remote_field.model, repr(field.get_limit_choices_to()))
                by_model.setdefault(key, {}).setdefault(value, []).append(name)
    errors: dict[str, str] = {}
    for (model, _limit), wanted in by_model.items():
        field = DisplacedPerson._meta.get_field(next(iter(wanted.values()))[0])
        assert isinstance(field, ForeignKey)
        found = set(
            model._base_manager.complex_filter(field.get_limit_choices_to())
            .filter(pk__in=list(wanted))
            .values_list("pk", flat=True)
        )
        for value, names in wanted.items():
            if value not in found:
                for name in names:
                    errors[name] = field.error_messages["invalid"] % {
                        "model": model._meta.verbose_name,
                        "pk": value,
                        "field": "id",
                        "value": value,
                    }
    if errors:
        raise ValidationError(errors)


def registration_fields() -> list[str]:
    skip = {"specific_needs", "confirm_not_duplicate", "estimated_age"}
    return [f.name for f in fields(PersonData) if f.name not in skip]


def record_person(
    *,
    actor: "User",
    person: DisplacedPerson,
    data: PersonData,
    candidates: Sequence[Candidate],
    audit: list[AuditEntry],
) -> None:
    """Write a registered person's needs and dismissed matches; add its audit events to `audit`.

    The caller records `audit` (protection.audit.audit_record_many) before it commits.
    """
    record_people(actor=actor, people=[(person, data, candidates)], audit=audit)


def record_people(
    *,
    actor: "User",
    people: Sequence[tuple[DisplacedPerson, PersonData, Sequence[Candidate]]],
    audit: list[AuditEntry],
) -> None:
    """`record_person` for several people at once: one insert of needs, one of dismissed
    matches, whatever their number; the audit events in the same order, person by person."""
    PersonSpecificNeed.objects.bulk_create(
        PersonSpecificNeed(person=person, need=need, recorded_by=actor)
        for person, data, _candidates in people
        for need in data.specific_needs
    )
    now = timezone.now()
    insert_rows(
        DuplicateReview,
        ["person_id", "candidate_id", "score", "decision", "decided_by_id", "decided_at"],
        [
            (person.pk, c.person.pk, c.score, DuplicateDecision.NOT_DUPLICATE.value, actor.pk, now)
            for person, _data, candidates in people
            for c in candidates
        ],
    )
    names = [
        *registration_fields(),
        "date_of_birth_estimated",
        "site",
        "household",
        "owning_agency",
    ]
    for person, data, candidates in people:
        after = snapshot(person, names)
        after["specific_needs"] = sorted(n.code for n in data.specific_needs)
        audit.append(("person.register", person, diff({}, after)))
        for candidate in candidates:
            audit.append(
                (
                    "person.duplicate_dismissed",
                    person,
                    {
                        "candidate": [None, candidate.person.registration_number],
                        "score": [None, candidate.score],
                    },
                )
            )


def check_site(actor: "User", site: Site) -> None:
    if not access.site_allows_registration(actor, site):
        raise PermissionDenied
    check_site_open(site)


def check_site_open(site: Site) -> None:
    """Refuse a registration at a site that is no longer open."""
    if site.status != SiteStatus.OPEN:
        raise ValidationError({"site": _("This site is closed; people cannot be registered.")})


def duplicates_for(
    actor: "User",
    members: Sequence[tuple[PersonData, datetime.date, bool]],
) -> dict[int, list[Candidate]]:
    """Return the likely matches of each member, by index, checked together (two statements;
    one when every member is confirmed as not a duplicate, whose matches are recorded only)."""
    probes = [
        ProbeIdentity(
            data.given_name,
            data.family_name,
            data.sex,
            born,
            estimated,
            data.nationality.pk if data.nationality else None,
        )
        for data, born, estimated in members
    ]
    matches = find_candidates_many(
        queryset=access.people_for(actor),
        probes=probes,
        # Matches the officer has dismissed already are recorded, not shown.
        shown=not all(data.confirm_not_duplicate for data, _born, _estimated in members),
    )
    return {index: found for index, found in enumerate(matches) if found}

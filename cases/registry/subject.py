"""Build a person's data-subject report: everything held about them, and who read it.

The report starts from the access policy (another agency's person is a 404) and shows what
the officer opening it may see; the apps above the registry add their sections through
protection.subject_report. The purpose is checked before anything is read, then the person
and every record the report shows are logged with it, in one insert, before the access
history is read: the report lists its own opening.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    CorrectionReason,
    DisplacedPerson,
    DocumentType,
    IdentifierKind,
    PersonCorrection,
    PersonSpecificNeed,
    PersonStatus,
    Relationship,
    Sex,
)
from cases.registry.identifiers import identifiers_of
from cases.registry.photo import has_photo
from protection import access
from protection.access import Action
from protection.models import AccessPurpose
from protection.reads import log_read
from protection.subject_report import (
    FORMAT_PARTS,
    REPORT_SCHEMA,
    REPORT_VERSION,
    RecordName,
    SubjectSection,
    access_history,
    coded,
    purpose_validate,
    subject_sections,
)

if TYPE_CHECKING:
    from protection.accounts.models import User


@dataclass(frozen=True)
class ShownSection:
    """A section as the page shows it: its title, template and rows."""

    key: str
    title: str
    template: str
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class SubjectReport:
    """The report: the person, its data under stable keys, and the sections to show."""

    person: DisplacedPerson
    data: dict[str, Any]
    sections: list[ShownSection]


def _name(record: Model | None) -> str:
    return str(record) if record is not None else ""


def _code(record: Any) -> str:
    return str(getattr(record, "code", "")) if record is not None else ""


def _registry(person: DisplacedPerson) -> dict[str, Any]:
    """Return the person's registry fields under the report's keys."""
    documents = [coded(code, DocumentType.choices) for code in person.documents or []]
    return {
        "registration_number": person.registration_number,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names,
        "sex": coded(person.sex, Sex.choices),
        "date_of_birth": person.date_of_birth,
        "date_of_birth_estimated": person.date_of_birth_estimated,
        "nationality": {"code": _code(person.nationality), "label": _name(person.nationality)},
        "languages": person.languages,
        "displacement_status": {
            "code": person.displacement_status.code,
            "label": str(person.displacement_status),
        },
        "origin_country": {
            "code": _code(person.origin_country),
            "label": _name(person.origin_country),
        },
        "origin_location": person.origin_location,
        "displaced_on": person.displaced_on,
        "arrived_on": person.arrived_on,
        "phone": person.phone,
        "documents": documents,
        "relationship_to_head": coded(person.relationship_to_head, Relationship.choices),
        "status": coded(person.status, PersonStatus.choices),
        "status_reason": person.status_reason,
        "status_changed_on": person.status_changed_on,
        "site": {"code": person.site.code, "label": person.site.name},
        "owning_agency": person.owning_agency.name,
        "registered_at": person.created_at,
        "consent": {
            "date": person.consent_date,
            "given_by": coded(person.consent_given_by, ConsentGivenBy.choices),
            "scope": coded(person.consent_scope, ConsentScope.choices),
        },
    }


def _household(person: DisplacedPerson, members: list[DisplacedPerson]) -> dict[str, Any]:
    """Return the household, its members named by registration number only."""
    household = person.household
    return {
        "code": household.code,
        "site": {"code": household.site.code, "label": household.site.name},
        "address": household.address,
        "registered_on": household.registered_on,
        "members": [
            {
                "registration_number": member.registration_number,
                "relationship_to_head": coded(member.relationship_to_head, Relationship.choices),
            }
            for member in members
        ],
    }


def _needs(person: DisplacedPerson) -> list[dict[str, Any]]:
    return [
        {"code": record.need.code, "label": record.need.label, "recorded_at": record.recorded_at}
        for record in person.need_records.all()
    ]


def _identifiers(person: DisplacedPerson) -> list[dict[str, Any]]:
    """Return the person's documents and biometric references: type or system, number, country."""
    return [
        {
            "kind": coded(identifier.kind, IdentifierKind.choices),
            "scheme": {"code": identifier.scheme, "label": identifier.scheme_label},
            "number": identifier.number,
            "issuing_country": {
                "code": _code(identifier.issuing_country),
                "label": _name(identifier.issuing_country),
            },
            "recorded_at": identifier.recorded_at,
        }
        for identifier in identifiers_of(person)
    ]


def _corrections(person: DisplacedPerson) -> list[dict[str, Any]]:
    labels = {
        field.name: str(getattr(field, "verbose_name", field.name))
        for field in person._meta.get_fields()
    }
    return [
        {
            "field": {"code": row.field_name, "label": labels.get(row.field_name, row.field_name)},
            "reason": coded(row.reason, CorrectionReason.choices),
            "note": row.note,
            "corrected_at": row.corrected_at,
            "corrected_by": row.corrected_by.get_full_name() or row.corrected_by.get_username(),
        }
        for row in person.corrections.all()
    ]


def _person_get(user: "User", pk: int) -> DisplacedPerson:
    corrections = PersonCorrection.objects.select_related("corrected_by")
    needs = PersonSpecificNeed.objects.select_related("need").order_by("need__code")
    queryset = access.people_for(user).select_related(
        "site",
        "household__site",
        "displacement_status",
        "nationality",
        "origin_country",
        "owning_agency",
    )
    return get_object_or_404(
        queryset.prefetch_related(
            Prefetch("need_records", queryset=needs),
            Prefetch("corrections", queryset=corrections),
        ),
        pk=pk,
    )


def _history_name(record: Model, kind: str) -> tuple[tuple[str, str], RecordName]:
    code = next(
        (
            str(getattr(record, name))
            for name in ("registration_number", "case_number", "code", "reference")
            if getattr(record, name, "")
        ),
        str(record.pk),
    )
    return (record._meta.label_lower, str(record.pk)), RecordName(code=code, kind=kind)


def subject_report_get(
    *, user: "User", pk: int, purpose: str | None, report_format: str = "page"
) -> SubjectReport:
    """Return everything the user's agency holds about one person, and who read it.

    Raise ValidationError ("purpose") before any read when the purpose is missing or not one
    of SUBJECT_REPORT_PURPOSES, PermissionDenied when the role does not answer subject
    requests, Http404 for a person the user may not see. Log the person and every record
    shown with the purpose and the format read.
    """
    access.require(user, Action.ANSWER_SUBJECT_REQUESTS)
    chosen = purpose_validate(purpose)
    part = FORMAT_PARTS[report_format]
    person = _person_get(user, pk)
    members = list(
        access.people_for(user)
        .filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .order_by("id")
    )
    built: list[tuple[SubjectSection, Any]] = [
        (section, section.build(user, person)) for section in subject_sections()
    ]
    read: list[Model] = [person]
    names = dict([_history_name(person, str(DisplacedPerson._meta.verbose_name))])
    for _section, content in built:
        read.extend(content.read)
        for record in content.history:
            key, name = _history_name(record, str(record._meta.verbose_name))
            names[key] = name
    log_read(user=user, objects=read, purpose=chosen, part=part)
    log_read(user=user, objects=members, purpose=AccessPurpose.LIST)
    accesses = [entry.as_row() for entry in access_history(names)]
    data: dict[str, Any] = {
        "schema": REPORT_SCHEMA,
        "version": REPORT_VERSION,
        "generated_at": timezone.now(),
        "generated_by": {
            "user": user.get_username(),
            "agency": user.agency.name if user.agency is not None else "",
            "purpose": coded(chosen.value, AccessPurpose.choices),
        },
        "person": _registry(person),
        "household": _household(person, members),
        "specific_needs": _needs(person),
        "identifiers": _identifiers(person),
        # Whether a photo is held; the image itself is shown on the person's page, not copied.
        "photo_held": has_photo(person),
        "corrections": _corrections(person),
    }
    shown = []
    for section, content in built:
        data[section.key] = content.rows
        shown.append(ShownSection(section.key, str(section.title), section.template, content.rows))
    data["accesses"] = accesses
    return SubjectReport(person=person, data=data, sections=shown)

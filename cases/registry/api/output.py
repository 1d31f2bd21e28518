"""The JSON of a registered person, built straight from the row.

`person_json` answers exactly what PersonSerializer would (the serializer stays the API's
schema; tests/cases/test_api_output.py checks both give the same JSON), without DRF's
field-by-field work for each of a page's fifty people, which cost as much as the page's SQL.
"""

from typing import Any

from rest_framework import serializers

from cases.models import DisplacedPerson

# DRF's own formatting of date-times (time zone, "Z"), shared by every row.
_DATETIME = serializers.DateTimeField()


def _date(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _code(reference: Any) -> str | None:
    return None if reference is None else reference.code


def person_json(person: DisplacedPerson) -> dict[str, Any]:
    """Return the JSON of one person (with site, household, statuses and needs loaded)."""
    return {
        "id": person.pk,
        "registration_number": person.registration_number,
        "household": person.household_id,
        "household_code": person.household.code,
        "site": person.site_id,
        "site_code": person.site.code,
        "relationship_to_head": str(person.relationship_to_head),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names,
        "sex": str(person.sex),
        "date_of_birth": _date(person.date_of_birth),
        "date_of_birth_estimated": bool(person.date_of_birth_estimated),
        "nationality": _code(person.nationality),
        "languages": person.languages,
        "displacement_status": person.displacement_status.code,
        "origin_country": _code(person.origin_country),
        "origin_location": person.origin_location,
        "displaced_on": _date(person.displaced_on),
        "arrived_on": _date(person.arrived_on),
        "specific_needs": [need.code for need in person.specific_needs.all()],
        "phone": person.phone,
        "documents": [None if kind is None else str(kind) for kind in person.documents],
        "consent_date": _date(person.consent_date),
        "consent_given_by": str(person.consent_given_by),
        "consent_scope": str(person.consent_scope),
        "status": str(person.status),
        "status_reason": person.status_reason,
        "status_changed_on": _date(person.status_changed_on),
        "owning_agency": person.owning_agency_id,
        "created_at": _DATETIME.to_representation(person.created_at),
        "updated_at": _DATETIME.to_representation(person.updated_at),
    }

"""Request bodies a partner system would send, valid unless a test overrides a field."""

from typing import Any


def person_payload(**overrides: Any) -> dict[str, Any]:
    """Return one adult head of household, by reference codes as the API takes them."""
    values: dict[str, Any] = {
        "given_name": "Nyabol",
        "family_name": "Deng",
        "sex": "female",
        "relationship_to_head": "head",
        "date_of_birth": "1988-03-02",
        "nationality": "SSD",
        "displacement_status": "IDP",
        "consent_date": "2024-06-01",
        "consent_given_by": "person",
        "documents": ["national_id"],
        "specific_needs": ["WR-WR"],
    }
    values.update(overrides)
    return values


def household_payload(site: Any, members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return a household at `site` with the given members (one head by default)."""
    return {
        "site": site.pk,
        "address": "Block C, plot 12",
        "registered_on": "2024-06-01",
        "members": members if members is not None else [person_payload()],
    }

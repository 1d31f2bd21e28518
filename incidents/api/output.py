"""The JSON of an incident, built straight from its representation.

`incident_json` answers exactly what IncidentFullSerializer / IncidentAnonymisedSerializer
would (the serializers stay the API's schema; tests/incidents/test_api_output.py checks both
give the same JSON for both shapes), without building a serializer and its fields for every
incident of a page, which cost several times the page's SQL.
"""

from typing import Any

from rest_framework import serializers

from incidents.representations import FullIncident, IncidentView

# DRF's own formatting of dates and decimals (time zone, "Z", digits), shared by every row.
_DATETIME = serializers.DateTimeField()
_COORDINATE = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)


def _decimal(value: Any) -> Any:
    return None if value is None else _COORDINATE.to_representation(value)


def incident_json(view: IncidentView) -> dict[str, Any]:
    """Return the JSON of one incident in the shape the access policy chose for it."""
    incident_type, site, counts = view.incident_type, view.site, view.counts
    data: dict[str, Any] = {
        "view": "full" if view.full else "anonymised",
        "id": view.pk,
        "reference": view.reference,
        "type": incident_type.code,
        "type_name": str(incident_type.label),
        "taxonomy": incident_type.taxonomy,
        "severity": int(view.severity),
        "occurred_on": view.occurred_on.isoformat(),
        "site": site.pk if site is not None else None,
        "site_code": site.code if site is not None else None,
        "victims": {
            "female_children": counts.female_children,
            "male_children": counts.male_children,
            "female_adults": counts.female_adults,
            "male_adults": counts.male_adults,
            "sex_or_age_unknown": counts.sex_or_age_unknown,
            "total": counts.total,
        },
        "involves_children": bool(view.involves_children),
        "verification": str(view.verification),
        "status": str(view.status),
        "reported_on": view.reported_on.isoformat(),
        "event": view.event,
        "safe_zone": view.safe_zone_id,
    }
    if isinstance(view, FullIncident):
        data.update(
            {
                "occurred_at": _DATETIME.to_representation(view.occurred_at),
                "occurred_precision": str(view.occurred_precision),
                "reported_at": _DATETIME.to_representation(view.reported_at),
                "latitude": _decimal(view.latitude),
                "longitude": _decimal(view.longitude),
                "admin1": view.admin1,
                "admin2": view.admin2,
                "location_detail": view.location_detail,
                "victim_ids": [person.pk for person in view.victims],
                "perpetrator_category": view.perpetrator_category.code,
                "source": str(view.source),
                "description": view.description,
                "actions_taken": view.actions_taken,
                "reported_by": view.reported_by.pk,
                "reporting_agency": view.reporting_agency.pk,
                "linked_case": view.linked_case.pk if view.linked_case is not None else None,
            }
        )
    return data

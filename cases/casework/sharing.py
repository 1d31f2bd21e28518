"""What a referral may carry to a partner: the fixed list of fields and how each is read.

The officer picks the minimum from `SharedField`; each field falls under one data category of
the data-sharing agreements. The values are read once, when the referral is sent, so that the
partner holds what was disclosed and nothing that the registry learns later.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cases.models import ProtectionCase, Referral, SharedField
from cases.registry.identifiers import identifiers_shared
from cases.registry.language import language_needs_shared
from cases.registry.photo import has_photo
from partners.models import DataCategory
from protection.dates import age_on

SHARED_FIELD_CATEGORIES: dict[str, str] = {
    SharedField.FULL_NAME: DataCategory.IDENTITY,
    SharedField.REGISTRATION_NUMBER: DataCategory.IDENTITY,
    SharedField.DATE_OF_BIRTH: DataCategory.IDENTITY,
    SharedField.AGE: DataCategory.DEMOGRAPHICS,
    SharedField.SEX: DataCategory.DEMOGRAPHICS,
    SharedField.NATIONALITY: DataCategory.DEMOGRAPHICS,
    SharedField.LANGUAGES: DataCategory.DEMOGRAPHICS,
    # An interpreter of one sex can point at what happened to the person: a protection need.
    SharedField.LANGUAGE_NEEDS: DataCategory.PROTECTION_NEEDS,
    # A face and a document number identify the person anywhere.
    SharedField.PHOTO: DataCategory.IDENTITY,
    SharedField.IDENTIFIERS: DataCategory.IDENTITY,
    SharedField.PHONE: DataCategory.CONTACT,
    SharedField.LOCATION: DataCategory.CONTACT,
    SharedField.DISPLACEMENT_STATUS: DataCategory.PROTECTION_NEEDS,
    SharedField.SPECIFIC_NEEDS: DataCategory.PROTECTION_NEEDS,
    SharedField.CASE_TYPE: DataCategory.CASE_INFORMATION,
    SharedField.RISK_LEVEL: DataCategory.CASE_INFORMATION,
    SharedField.SAFETY_CONCERN: DataCategory.CASE_INFORMATION,
}


def categories_of(fields: Iterable[str]) -> list[str]:
    """Return the data categories the fields fall under, sorted."""
    return sorted({SHARED_FIELD_CATEGORIES[name] for name in fields})


def carries_personal_data(fields: Iterable[str]) -> bool:
    """Return whether sharing these fields discloses personal data (every listed field does)."""
    return any(name in SHARED_FIELD_CATEGORIES for name in fields)


def _latest_assessment_safety(case: ProtectionCase) -> dict[str, Any]:
    assessment = case.assessments.order_by("-assessed_on", "-id").first()
    if assessment is None:
        return {"immediate": None, "safety_plan": ""}
    return {
        "immediate": assessment.immediate_safety_concern,
        "safety_plan": assessment.safety_plan,
    }


def _specific_needs(case: ProtectionCase) -> list[str]:
    """Return the codes recorded in the registry and found by the latest assessment."""
    codes = set(case.primary_person.specific_needs.values_list("code", flat=True))
    assessment = case.assessments.order_by("-assessed_on", "-id").first()
    if assessment is not None:
        codes |= set(assessment.specific_needs.values_list("code", flat=True))
    return sorted(codes)


_READERS: dict[str, Callable[[ProtectionCase, datetime.date], Any]] = {
    SharedField.FULL_NAME: lambda case, _day: case.primary_person.full_name,
    SharedField.REGISTRATION_NUMBER: lambda case, _day: case.primary_person.registration_number,
    SharedField.DATE_OF_BIRTH: lambda case, _day: {
        "date": case.primary_person.date_of_birth.isoformat(),
        "estimated": case.primary_person.date_of_birth_estimated,
    },
    SharedField.AGE: lambda case, day: age_on(case.primary_person.date_of_birth, day),
    SharedField.SEX: lambda case, _day: case.primary_person.sex,
    SharedField.NATIONALITY: lambda case, _day: (
        case.primary_person.nationality.code if case.primary_person.nationality else ""
    ),
    SharedField.LANGUAGES: lambda case, _day: case.primary_person.languages,
    SharedField.LANGUAGE_NEEDS: lambda case, _day: language_needs_shared(case.primary_person),
    # The photo is a flag: the partner fetches the image through the referral, logged.
    SharedField.PHOTO: lambda case, _day: has_photo(case.primary_person),
    SharedField.IDENTIFIERS: lambda case, _day: identifiers_shared(case.primary_person),
    SharedField.PHONE: lambda case, _day: case.primary_person.phone,
    SharedField.LOCATION: lambda case, _day: {
        "site": case.primary_person.site.code,
        "site_name": case.primary_person.site.name,
        "shelter": case.primary_person.household.address,
    },
    SharedField.DISPLACEMENT_STATUS: lambda case, _day: (
        case.primary_person.displacement_status.code
    ),
    SharedField.SPECIFIC_NEEDS: lambda case, _day: _specific_needs(case),
    SharedField.CASE_TYPE: lambda case, _day: case.case_type,
    SharedField.RISK_LEVEL: lambda case, _day: case.risk_level,
    SharedField.SAFETY_CONCERN: lambda case, _day: _latest_assessment_safety(case),
}


def shared_snapshot(
    case: ProtectionCase, fields: Iterable[str], day: datetime.date
) -> dict[str, Any]:
    """Return the values of the chosen fields, as the partner will receive them."""
    return {name: _READERS[name](case, day) for name in sorted(set(fields))}


@dataclass(frozen=True)
class SharedItem:
    """One piece of shared information, labelled for a person to read."""

    field: str
    label: str
    value: Any


def shared_items(shared_data: dict[str, Any]) -> list[SharedItem]:
    """Return the shared information in the order of the fixed list, with labels."""
    labels = dict(SharedField.choices)
    return [
        SharedItem(field=name, label=str(labels[name]), value=shared_data[name])
        for name in SharedField.values
        if name in shared_data
    ]


@dataclass(frozen=True)
class ReferralSharedView:
    """What the receiving agency may know of a referral: its own facts and the shared fields."""

    id: int
    code: str
    service_id: int
    service: str
    from_agency: str
    reason: str
    urgency: str
    status: str
    consent_basis: str
    sent_at: datetime.datetime | None
    response_due_at: datetime.datetime | None
    overdue: bool
    responded_at: datetime.datetime | None
    decline_reason: str
    completed_at: datetime.datetime | None
    outcome: str
    cancelled_at: datetime.datetime | None
    cancel_reason: str
    shared: list[SharedItem]
    shared_data: dict[str, Any]


def shared_view(referral: Referral) -> ReferralSharedView:
    """Return the receiving side's view of a referral read through `referral_inbox`."""
    return ReferralSharedView(
        id=referral.pk,
        code=referral.code,
        service_id=referral.service_id,
        service=referral.service.name,
        from_agency=str(referral.from_agency),
        reason=referral.reason,
        urgency=referral.urgency,
        status=referral.status,
        consent_basis=referral.consent_basis,
        sent_at=referral.sent_at,
        response_due_at=referral.response_due_at,
        overdue=referral.is_overdue,
        responded_at=referral.responded_at,
        decline_reason=referral.decline_reason,
        completed_at=referral.completed_at,
        outcome=referral.outcome,
        cancelled_at=referral.cancelled_at,
        cancel_reason=referral.cancel_reason,
        shared=shared_items(referral.shared_data),
        shared_data=dict(referral.shared_data),
    )

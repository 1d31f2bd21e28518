"""A member's short row in a household registration, and what the household gives every member.

The household form carries what members share (displacement status, the consent taken once
for the household); a member row holds the essentials on view and the rest behind "More about
this member", where an exception to the household's consent or status is recorded.
"""

import dataclasses
import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import ConsentGivenBy, ConsentScope, DisplacementStatus
from cases.registry.forms.fields import ObjectChoiceField
from cases.registry.forms.people import MemberForm, person_data_from
from cases.registry.records import PersonData
from protection.bounds import AGE_MAX
from protection.dates import age_on
from protection.formats.fields import format_hint

# The fields on a member's short row; the others are behind "More about this member".
ESSENTIAL_FIELDS = (
    "given_name",
    "family_name",
    "sex",
    "relationship_to_head",
    "date_of_birth",
    "estimated_age",
    "specific_needs",
)
HIDDEN_FIELDS = ("confirm_not_duplicate", "reviewed_identity", "DELETE")
ADULT_AGE = 18


@dataclasses.dataclass(frozen=True)
class HouseholdDefaults:
    """What the household form gives each member unless the member's row says otherwise."""

    displacement_status: DisplacementStatus
    consent_date: datetime.date
    consent_given_by: str
    consent_scope: str


def is_child(data: PersonData, on: datetime.date) -> bool:
    """Return whether the person was under 18 on that date (by birth date or estimated age)."""
    if data.date_of_birth is not None:
        return age_on(data.date_of_birth, on) < ADULT_AGE
    return data.estimated_age is not None and data.estimated_age < ADULT_AGE


def _same_as_household() -> list[tuple[str, Any]]:
    return [("", _("Same as the household"))]


class RegistrationMemberForm(MemberForm):
    """One member of a household being registered, on a short row."""

    estimated_age = forms.IntegerField(
        label=_("Or age (years)"), min_value=0, max_value=AGE_MAX, required=False
    )
    displacement_status = ObjectChoiceField(
        label=_("Displacement status, if not the household's"), required=False
    )
    consent_date = None  # type: ignore[assignment]  # taken once for the household
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by, if not as for the household"),
        choices=[*_same_as_household(), *ConsentGivenBy.choices],
        required=False,
    )
    consent_scope = forms.ChoiceField(
        label=_("Consent covers, if not as for the household"),
        choices=[*_same_as_household(), *ConsentScope.choices],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["displacement_status"]
        assert isinstance(status, ObjectChoiceField)
        status.choices = [*_same_as_household(), *((k, str(o)) for k, o in status.objects.items())]
        # A short row: the date's format alone, and no note the service checks anyway.
        self.fields["date_of_birth"].help_text = ""
        self.fields["date_of_birth"].widget.attrs["placeholder"] = format_hint()
        self.fields["relationship_to_head"].label = _("Relationship")
        self.fields["specific_needs"].help_text = ""

    def essential_fields(self) -> list[forms.BoundField]:
        """Return the fields of the short row, but the specific needs (drawn apart)."""
        return [self[name] for name in ESSENTIAL_FIELDS if name != "specific_needs"]

    def more_fields(self) -> list[forms.BoundField]:
        """Return the fields behind "More about this member"."""
        left_out = {*ESSENTIAL_FIELDS, *HIDDEN_FIELDS}
        return [field for field in self.visible_fields() if field.name not in left_out]

    def more_open(self) -> bool:
        """Return whether "More about this member" opens: it holds an error or an answer."""
        if not self.is_bound:
            return False
        return any(field.errors or field.name in self.changed_data for field in self.more_fields())

    def person_data_for(self, household: HouseholdDefaults) -> PersonData:
        """Return the member's data, completed by what the household gives every member."""
        data = self.cleaned_data
        values = {
            **data,
            "displacement_status": data["displacement_status"] or household.displacement_status,
            "consent_date": household.consent_date,
            "consent_given_by": data["consent_given_by"] or household.consent_given_by,
            "consent_scope": data["consent_scope"] or household.consent_scope,
        }
        member = person_data_from(values)
        # Consent by "the person" for a household: each adult for themselves, and for a child
        # the parent or caregiver who answered for the household.
        if (
            not data["consent_given_by"]
            and household.consent_given_by == ConsentGivenBy.PERSON
            and is_child(member, household.consent_date)
        ):
            member = dataclasses.replace(member, consent_given_by=ConsentGivenBy.CAREGIVER)
        return member

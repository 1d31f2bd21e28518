"""Forms of the case plan: assessments, actions and follow-ups."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.casework.forms.fields import BLANK, ReferralChoiceField, UserChoiceField, textarea
from cases.models import (
    ActionStatus,
    ContactType,
    Referral,
)
from cases.registry.forms.choices import RegistryChoices
from cases.registry.forms.fields import SpecificNeedsField
from protection.accounts.models import User
from protection.pages import PageForm, date_field, today


class AssessmentForm(PageForm):
    """An assessment (or reassessment) of the person's situation."""

    assessed_on = date_field(label=_("Assessment date"), required=True, initial=today)
    risks_identified = forms.CharField(
        label=_("Risks identified"), max_length=5000, widget=textarea(4)
    )
    specific_needs = SpecificNeedsField(label=_("Specific needs"))
    immediate_safety_concern = forms.BooleanField(
        label=_("Immediate safety concern"), required=False
    )
    safety_plan = forms.CharField(
        label=_("Safety plan"),
        required=False,
        max_length=5000,
        widget=textarea(3),
        help_text=_("Required when there is an immediate safety concern."),
    )
    wishes = forms.CharField(
        label=_("The person's own wishes"), required=False, max_length=5000, widget=textarea(3)
    )

    def __init__(self, *args: Any, choices: RegistryChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.registry = choices
        field = self.fields["specific_needs"]
        assert isinstance(field, SpecificNeedsField)
        field.set_registry(choices)


class ActionAddForm(PageForm):
    """An action of the case plan, carried out by a case worker or through a referral."""

    future_dates_allowed = ("due_on",)

    description = forms.CharField(label=_("Action"), max_length=2000, widget=textarea(2))
    due_on = date_field(label=_("Due date"), required=True)
    responsible_user = UserChoiceField(
        label=_("Responsible case worker"), queryset=User.objects.none(), required=False
    )
    referral = ReferralChoiceField(
        label=_("Or carried out through the referral"),
        queryset=Referral.objects.none(),
        required=False,
        help_text=_("Name either a case worker or a referral of this case, not both."),
    )

    def __init__(
        self,
        *args: Any,
        caseworkers: QuerySet[Any],
        referrals: QuerySet[Referral],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        user_field = self.fields["responsible_user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = caseworkers
        referral_field = self.fields["referral"]
        assert isinstance(referral_field, forms.ModelChoiceField)
        referral_field.queryset = referrals
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()


class ActionUpdateForm(PageForm):
    """Move a plan action along, or give it a new due date."""

    future_dates_allowed = ("due_on",)

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Unchanged")), *ActionStatus.choices], required=False
    )
    due_on = date_field(label=_("New due date"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("status") and not cleaned.get("due_on") and not self.errors:
            raise forms.ValidationError(_("Choose a new status or a new due date."))
        return cleaned


class FollowUpForm(PageForm):
    """A contact with the person, and when to see them next."""

    future_dates_allowed = ("next_follow_up_on",)

    followed_up_on = date_field(label=_("Date"), required=True, initial=today)
    contact_type = forms.ChoiceField(
        label=_("Contact type"), choices=[*BLANK, *ContactType.choices]
    )
    notes = forms.CharField(label=_("Notes"), max_length=5000, widget=textarea(4))
    next_follow_up_on = date_field(label=_("Next follow-up"))

"""The form that refers a case to a partner's service, with consent or an override.

One tick per item shared: the consent (or the override) covers exactly what is shared. The
fields that the basis makes required (who consented and when; or why not, and the explanation)
are marked required for the basis chosen; static/js/referral-form.js moves the mark when the
officer changes the basis, and clean() refuses a missing one either way.
"""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cases.casework.forms.fields import BLANK, ServiceChoiceField, textarea
from cases.casework.referrals import Consent, Override
from cases.models import (
    ConsentBasis,
    ConsentGivenBy,
    ConsentOverride,
    ReferralUrgency,
    SharedField,
)
from partners.models import Service
from protection.pages import PageForm, date_field, today


class ReferralForm(PageForm):
    """Refer the case to a service: what to share, and the consent (or override) behind it."""

    service = ServiceChoiceField(label=_("Service"), queryset=Service.objects.none())
    reason = forms.CharField(
        label=_("Reason for referral"),
        max_length=2000,
        widget=textarea(3),
        help_text=_("The receiving agency reads this: write only what it needs to act."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=[*BLANK, *ReferralUrgency.choices])
    shared_fields = forms.MultipleChoiceField(
        label=_("Information shared with the receiving agency"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick the minimum the partner needs. The consent, or the reason below, covers "
            "exactly what you tick: nothing else is sent."
        ),
    )
    basis = forms.ChoiceField(
        label=_("Basis for sharing"),
        choices=ConsentBasis.choices,
        initial=ConsentBasis.CONSENT,
        widget=forms.RadioSelect,
    )
    consent_given_by = forms.ChoiceField(
        label=_("Consent given by"),
        choices=[*BLANK, *ConsentGivenBy.choices],
        required=False,
        widget=forms.Select(attrs={"data-required-when": ConsentBasis.CONSENT}),
    )
    consent_date = date_field(label=_("Date of consent"), initial=today)
    override_reason = forms.ChoiceField(
        label=_("Why consent could not be obtained"),
        choices=[*BLANK, *ConsentOverride.choices],
        required=False,
        widget=forms.Select(attrs={"data-required-when": ConsentBasis.OVERRIDE}),
    )
    override_justification = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "data-required-when": ConsentBasis.OVERRIDE}),
        help_text=_("A supervisor approves a referral without consent before it is sent."),
    )

    def __init__(self, *args: Any, services: QuerySet[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = services
        self.fields["consent_date"].widget.attrs["data-required-when"] = ConsentBasis.CONSENT
        # Mark the fields the chosen basis requires (the basis posted, or consent at first).
        basis = self.data.get("basis") if self.is_bound else ConsentBasis.CONSENT
        for name in self.CONDITIONAL:
            widget = self.fields[name].widget
            if widget.attrs["data-required-when"] == basis:
                widget.attrs["aria-required"] = "true"

    CONDITIONAL = ("consent_given_by", "consent_date", "override_reason", "override_justification")

    def required_now(self) -> list[str]:
        """Return the conditional fields the basis shown requires (marked on the page)."""
        return [n for n in self.CONDITIONAL if self.fields[n].widget.attrs.get("aria-required")]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("basis") == ConsentBasis.CONSENT:
            if not cleaned.get("consent_given_by"):
                self.add_error("consent_given_by", _("Say who gave consent."))
            if not cleaned.get("consent_date") and "consent_date" not in self.errors:
                self.add_error("consent_date", _("Give the date of consent."))
        elif cleaned.get("basis") == ConsentBasis.OVERRIDE:
            if not cleaned.get("override_reason"):
                self.add_error("override_reason", _("Choose why consent could not be obtained."))
            if not str(cleaned.get("override_justification") or "").strip():
                self.add_error(
                    "override_justification", _("Explain why consent could not be obtained.")
                )
        return cleaned

    def consent(self) -> Consent | None:
        data = self.cleaned_data
        if data["basis"] != ConsentBasis.CONSENT:
            return None
        given_on: datetime.date = data["consent_date"]
        # The consent covers what is shared: one tick per item, not two.
        return Consent(
            given_by=data["consent_given_by"], given_on=given_on, scope=data["shared_fields"]
        )

    def override(self) -> Override | None:
        data = self.cleaned_data
        if data["basis"] != ConsentBasis.OVERRIDE:
            return None
        return Override(
            reason=data["override_reason"], justification=data["override_justification"]
        )

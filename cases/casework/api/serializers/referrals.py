"""What the API shows and accepts of referrals, from both sides.

The receiving agency of a referral is served from `ReferralSharedView` (cases.casework.sharing),
never from the Referral row, so no field of the case can reach a partner through a serializer's
mistake.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.casework.api.serializers.fields import (
    AgencyUserField,
    ReasonSerializer,
    VisibleCaseField,
    VisibleServiceField,
    blank_choice,
)
from cases.casework.sharing import ReferralSharedView, SharedItem
from cases.models import (
    ConsentBasis,
    ConsentGivenBy,
    ConsentOverride,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    SharedField,
)


class CaseReferralSerializer(serializers.ModelSerializer[Referral]):
    """A referral of the case, as its detail lists them."""

    service_name = serializers.CharField(source="service.name", read_only=True)
    to_agency_name = serializers.CharField(source="to_agency", read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Not answered by its deadline.")
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "service",
            "service_name",
            "to_agency",
            "to_agency_name",
            "urgency",
            "status",
            "response_due_at",
            "overdue",
        ]
        read_only_fields = fields


class SentReferralSerializer(CaseReferralSerializer):
    """A referral as the referring agency sees it in a list."""

    case_number = serializers.CharField(source="case.case_number", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "code",
            "case",
            "case_number",
            "service",
            "service_name",
            "to_agency",
            "to_agency_name",
            "reason",
            "urgency",
            "status",
            "consent_basis",
            "sent_at",
            "response_due_at",
            "overdue",
            "responded_at",
            "decline_reason",
            "completed_at",
            "outcome",
            "cancelled_at",
            "cancel_reason",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class SentReferralDetailSerializer(SentReferralSerializer):
    """A referral as the referring agency sees it: consent, and what was shared."""

    consent_given_by = blank_choice(ConsentGivenBy.choices)
    override_reason = blank_choice(ConsentOverride.choices)

    consent_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        read_only=True,
        help_text=_("What the consent lets the agency share."),
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        read_only=True,
        help_text=_("What the officer chose to share."),
    )
    shared_data = serializers.DictField(
        child=serializers.JSONField(),
        read_only=True,
        help_text=_("The values the partner received, taken when the referral was sent."),
    )

    class Meta(SentReferralSerializer.Meta):
        fields = [
            *SentReferralSerializer.Meta.fields,
            "consent_given_by",
            "consent_date",
            "consent_obtained_by",
            "consent_scope",
            "override_reason",
            "override_justification",
            "override_approved_by",
            "shared_fields",
            "shared_data",
        ]
        read_only_fields = fields


class SharedItemSerializer(serializers.Serializer[SharedItem]):
    """One piece of information the referring agency shared, labelled."""

    field = serializers.ChoiceField(choices=SharedField.choices)
    # A field named like Field.label: the serializer metaclass takes it out of the class.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField()


class ReceivedReferralSerializer(serializers.Serializer[ReferralSharedView]):
    """A referral as the receiving agency sees it in its inbox: never anything of the case."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    service = serializers.IntegerField(source="service_id")
    service_name = serializers.CharField(source="service")
    from_agency = serializers.CharField(help_text=_("The referring agency."))
    reason = serializers.CharField()
    urgency = serializers.ChoiceField(choices=ReferralUrgency.choices)
    status = serializers.ChoiceField(choices=ReferralStatus.choices)
    consent_basis = serializers.ChoiceField(choices=ConsentBasis.choices)
    sent_at = serializers.DateTimeField(allow_null=True)
    response_due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text=_("Not answered by its deadline."))
    responded_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    completed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()


class ReceivedReferralDetailSerializer(ReceivedReferralSerializer):
    """A received referral with the information shared with it, and nothing else."""

    shared = SharedItemSerializer(many=True, help_text=_("The shared information, labelled."))
    shared_data = serializers.DictField(
        child=serializers.JSONField(),
        help_text=_("The same, keyed by field, for systems to read."),
    )
    photo_url = serializers.SerializerMethodField(
        help_text=_("Where to download the photo, when the referral shared it; else null.")
    )

    def get_photo_url(self, view: ReferralSharedView) -> str | None:
        """Return the referral-scoped address of the shared photo (read, logged, no-store)."""
        if not view.shared_data.get(SharedField.PHOTO):
            return None
        return reverse("referral-received-photo", kwargs={"pk": view.id})


_BASIS_REQUIRED: dict[str, tuple[str, ...]] = {
    ConsentBasis.CONSENT: ("consent_given_by", "consent_date"),
    ConsentBasis.OVERRIDE: ("override_reason", "override_justification"),
}
_BASIS_EXCLUDED: dict[str, tuple[str, ...]] = {
    ConsentBasis.CONSENT: ("override_reason", "override_justification"),
    ConsentBasis.OVERRIDE: (
        "consent_given_by",
        "consent_date",
        "consent_scope",
        "consent_obtained_by",
    ),
}


class ReferralCreateSerializer(serializers.Serializer[None]):
    """Refer a case to a service with consent (or an override) and the minimum to share."""

    case = VisibleCaseField(help_text=_("Id of the case referred."))
    service = VisibleServiceField(help_text=_("Id of a service of the referral directory."))
    reason = serializers.CharField(help_text=_("The receiving agency reads this."))
    urgency = serializers.ChoiceField(
        choices=ReferralUrgency.choices,
        help_text=_("Sets the deadline of the partner's answer."),
    )
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        help_text=_(
            "The information sent to the partner: the minimum it needs. Personal data needs an "
            "active data-sharing agreement between the two agencies."
        ),
    )
    consent_basis = serializers.ChoiceField(
        choices=ConsentBasis.choices,
        error_messages={
            "required": _(
                "Record the consent of the person or caregiver, or why it could not be obtained."
            )
        },
        help_text=_(
            "consent: give consent_given_by, consent_date and consent_scope. override: give "
            "override_reason and override_justification; a supervisor approves it."
        ),
    )
    consent_given_by = serializers.ChoiceField(
        choices=ConsentGivenBy.choices, required=False, allow_blank=True, default=""
    )
    consent_date = serializers.DateField(required=False, allow_null=True, default=None)
    consent_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedField.choices),
        required=False,
        default=list,
        help_text=_("What the person agreed may be shared; must cover shared_fields."),
    )
    consent_obtained_by = AgencyUserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the case worker who obtained consent; the caller when left out."),
    )
    override_reason = serializers.ChoiceField(
        choices=ConsentOverride.choices, required=False, allow_blank=True, default=""
    )
    override_justification = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        basis = attrs["consent_basis"]
        errors: dict[str, str] = {}
        for name in _BASIS_REQUIRED[basis]:
            if attrs.get(name) in (None, ""):
                errors[name] = str(_("This field is required with this basis for sharing."))
        for name in _BASIS_EXCLUDED[basis]:
            if attrs.get(name):
                errors[name] = str(_("Give either consent or an override, not both."))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class DeclineSerializer(ReasonSerializer):
    """Decline a referral, saying why, so that the sender can look elsewhere."""


class CompleteSerializer(serializers.Serializer[None]):
    """Report that the service was provided."""

    outcome = serializers.CharField(max_length=4000)

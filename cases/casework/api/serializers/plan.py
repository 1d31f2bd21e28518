"""What the API shows and accepts of a case plan: assessments, actions, follow-ups and notes."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.casework.api.serializers.fields import AgencyUserField, SentReferralField, name_of
from cases.models import (
    ActionStatus,
    CaseAction,
    CaseAssessment,
    CaseFollowUp,
    CaseNote,
    ContactType,
    SpecificNeed,
)
from cases.registry.api.input_serializers import needs_field


class AssessmentSerializer(serializers.ModelSerializer[CaseAssessment]):
    """One assessment of the person's situation."""

    specific_needs: serializers.SlugRelatedField[SpecificNeed] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("UNHCR specific-needs codes found by the assessment."),
    )
    assessed_by_name = name_of("assessed_by")

    class Meta:
        model = CaseAssessment
        fields = [
            "id",
            "assessed_on",
            "risks_identified",
            "specific_needs",
            "immediate_safety_concern",
            "safety_plan",
            "wishes",
            "assessed_by",
            "assessed_by_name",
            "created_at",
        ]
        read_only_fields = fields


class CaseActionSerializer(serializers.ModelSerializer[CaseAction]):
    """One action of the case plan, with whether it is overdue."""

    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)
    responsible_user_name = name_of("responsible_user")
    referral_code = serializers.CharField(source="referral.code", read_only=True, allow_null=True)
    overdue = serializers.BooleanField(
        source="is_overdue", read_only=True, help_text=_("Still open after its due date.")
    )

    class Meta:
        model = CaseAction
        fields = [
            "id",
            "case",
            "description",
            "responsible_user",
            "responsible_user_name",
            "referral",
            "referral_code",
            "due_on",
            "status",
            "completed_on",
            "overdue",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer[CaseFollowUp]):
    """A contact with the person after the plan started."""

    recorded_by_name = name_of("recorded_by")

    class Meta:
        model = CaseFollowUp
        fields = [
            "id",
            "followed_up_on",
            "contact_type",
            "notes",
            "next_follow_up_on",
            "recorded_by",
            "recorded_by_name",
            "created_at",
        ]
        read_only_fields = fields


class CaseNoteSerializer(serializers.ModelSerializer[CaseNote]):
    """A free-text note on the case."""

    author_name = name_of("author")

    class Meta:
        model = CaseNote
        fields = ["id", "text", "author", "author_name", "created_at"]
        read_only_fields = fields


class AssessmentInputSerializer(serializers.Serializer[None]):
    """An assessment (or a reassessment) of the person's situation."""

    assessed_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today.")
    )
    risks_identified = serializers.CharField()
    specific_needs = needs_field()
    immediate_safety_concern = serializers.BooleanField(required=False, default=False)
    safety_plan = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when there is an immediate safety concern."),
    )
    wishes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("The person's own wishes.")
    )

    def validate_specific_needs(self, value: list[SpecificNeed]) -> list[SpecificNeed]:
        return list(dict.fromkeys(value))


class CaseActionInputSerializer(serializers.Serializer[None]):
    """An action of the case plan: carried out by a case worker, or through a referral."""

    description = serializers.CharField()
    due_on = serializers.DateField()
    responsible_user = AgencyUserField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of the case worker responsible; or give a referral instead."),
    )
    referral = SentReferralField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of a referral of this case that carries the action."),
    )


class CaseActionUpdateSerializer(serializers.Serializer[None]):
    """Move an action along or reschedule it; send only what changes (PATCH)."""

    status = serializers.ChoiceField(choices=ActionStatus.choices)
    due_on = serializers.DateField()
    description = serializers.CharField()


class FollowUpInputSerializer(serializers.Serializer[None]):
    """A contact with the person, and when to see them next."""

    contact_type = serializers.ChoiceField(choices=ContactType.choices)
    notes = serializers.CharField()
    followed_up_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today.")
    )
    next_follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)


class CaseNoteInputSerializer(serializers.Serializer[None]):
    """A note on the case."""

    text = serializers.CharField()

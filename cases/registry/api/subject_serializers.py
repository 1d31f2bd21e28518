"""The data-subject report in the API: its query and the shape of its JSON (the OpenAPI schema).

The report is built once (cases.registry.subject) and the page's JSON download and this
endpoint answer the same keys; these serializers describe them and check the purpose.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from protection.subject_report import SUBJECT_REPORT_PURPOSES


class SubjectReportQuerySerializer(serializers.Serializer[Any]):
    """Why the report is opened: required, one of the listed purposes."""

    purpose = serializers.ChoiceField(
        choices=[(purpose.value, purpose.label) for purpose in SUBJECT_REPORT_PURPOSES],
        help_text=_("Why the report is opened; recorded in the access log."),
    )


class CodedSerializer(serializers.Serializer[Any]):
    """A coded value: the code a program reads, and its label in the caller's language."""

    code = serializers.CharField()
    # A field named like DRF's own Field.label attribute: declared fields shadow it at runtime.
    label = serializers.CharField()  # type: ignore[assignment]


class _Consent(serializers.Serializer[Any]):
    date = serializers.DateField()
    given_by = CodedSerializer()
    scope = CodedSerializer()


class SubjectPersonSerializer(serializers.Serializer[Any]):
    registration_number = serializers.CharField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    other_names = serializers.CharField(allow_blank=True)
    sex = CodedSerializer()
    date_of_birth = serializers.DateField()
    date_of_birth_estimated = serializers.BooleanField()
    nationality = CodedSerializer()
    languages = serializers.CharField(allow_blank=True)
    displacement_status = CodedSerializer()
    origin_country = CodedSerializer()
    origin_location = serializers.CharField(allow_blank=True)
    displaced_on = serializers.DateField(allow_null=True)
    arrived_on = serializers.DateField(allow_null=True)
    phone = serializers.CharField(allow_blank=True)
    documents = CodedSerializer(many=True)
    relationship_to_head = CodedSerializer()
    status = CodedSerializer()
    status_reason = serializers.CharField(allow_blank=True)
    status_changed_on = serializers.DateField(allow_null=True)
    site = CodedSerializer()
    owning_agency = serializers.CharField()
    registered_at = serializers.DateTimeField()
    consent = _Consent()


class _Member(serializers.Serializer[Any]):
    registration_number = serializers.CharField()
    relationship_to_head = CodedSerializer()


class SubjectHouseholdSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    site = CodedSerializer()
    address = serializers.CharField(allow_blank=True)
    registered_on = serializers.DateField()
    members = _Member(many=True, help_text=_("The other members, by registration number only."))


class _Need(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    recorded_at = serializers.DateTimeField()


class _Correction(serializers.Serializer[Any]):
    field = CodedSerializer()
    reason = CodedSerializer()
    note = serializers.CharField(allow_blank=True)
    corrected_at = serializers.DateTimeField()
    corrected_by = serializers.CharField()


class _Assessment(serializers.Serializer[Any]):
    assessed_on = serializers.DateField()
    risks_identified = serializers.CharField(allow_blank=True)
    immediate_safety_concern = serializers.BooleanField()
    safety_plan = serializers.CharField(allow_blank=True)
    wishes = serializers.CharField(allow_blank=True)
    specific_needs = serializers.ListField(child=serializers.CharField())
    assessed_by = serializers.CharField(allow_blank=True)


class _Action(serializers.Serializer[Any]):
    description = serializers.CharField()
    status = CodedSerializer()
    due_on = serializers.DateField()
    completed_on = serializers.DateField(allow_null=True)


class _FollowUp(serializers.Serializer[Any]):
    followed_up_on = serializers.DateField()
    contact_type = CodedSerializer()
    notes = serializers.CharField(allow_blank=True)


class _Note(serializers.Serializer[Any]):
    written_at = serializers.DateTimeField()
    author = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class SubjectCaseSerializer(serializers.Serializer[Any]):
    case_number = serializers.CharField()
    role = CodedSerializer(help_text=_("subject: the person the case is about; linked: a member."))
    case_type = CodedSerializer()
    risk_level = CodedSerializer()
    status = CodedSerializer()
    confidential = serializers.BooleanField()
    opened_on = serializers.DateField()
    closed_on = serializers.DateField(allow_null=True)
    closure_reason = CodedSerializer()
    summary = serializers.CharField(allow_blank=True)
    owning_agency = serializers.CharField()
    assigned_to = serializers.CharField(allow_blank=True)
    assessments = _Assessment(many=True)
    actions = _Action(many=True)
    follow_ups = _FollowUp(many=True)
    notes = _Note(many=True)


class _Shared(serializers.Serializer[Any]):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.JSONField(help_text=_("The value as the receiving agency got it."))
    text = serializers.CharField(allow_blank=True)


class SubjectReferralSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    case_number = serializers.CharField()
    service = serializers.CharField()
    from_agency = serializers.CharField()
    to_agency = serializers.CharField()
    status = CodedSerializer()
    urgency = CodedSerializer()
    consent_basis = CodedSerializer()
    reason = serializers.CharField(allow_blank=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    shared = _Shared(many=True)
    outcome = serializers.CharField(allow_blank=True)


class SubjectIncidentSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    incident_type = CodedSerializer()
    occurred_at = serializers.DateTimeField()
    site = serializers.CharField(allow_blank=True)
    reporting_agency = serializers.CharField()
    status = CodedSerializer()
    verification = CodedSerializer()
    role = CodedSerializer()


class SubjectAccessSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    user_name = serializers.CharField()
    agency = serializers.CharField(allow_blank=True)
    record = serializers.CharField(help_text=_("The code of the record read."))
    record_kind = serializers.CharField()
    purpose = CodedSerializer()
    part = CodedSerializer()
    channel = CodedSerializer()


class _GeneratedBy(serializers.Serializer[Any]):
    user = serializers.CharField()
    agency = serializers.CharField(allow_blank=True)
    purpose = CodedSerializer()


class _Identifier(serializers.Serializer[Any]):
    kind = CodedSerializer()
    scheme = CodedSerializer(help_text=_("The document type, or the biometric system's name."))
    number = serializers.CharField()
    issuing_country = CodedSerializer()
    recorded_at = serializers.DateTimeField()


class SubjectReportSerializer(serializers.Serializer[Any]):
    """Everything the caller's agency holds about one person, and every recorded read."""

    schema = serializers.CharField(help_text=_("Always protection.subject-report."))
    version = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    generated_by = _GeneratedBy()
    person = SubjectPersonSerializer()
    household = SubjectHouseholdSerializer()
    specific_needs = _Need(many=True)
    identifiers = _Identifier(many=True)
    photo_held = serializers.BooleanField(help_text=_("Whether a photo of the person is held."))
    corrections = _Correction(many=True)
    cases = SubjectCaseSerializer(many=True)
    referrals = SubjectReferralSerializer(many=True)
    incidents = SubjectIncidentSerializer(many=True)
    accesses = SubjectAccessSerializer(many=True)

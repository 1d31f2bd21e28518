"""Filters for the caseload, the referral lists and the approvals queue, shared by the pages and
the API."""

from typing import TYPE_CHECKING, Any, TypeAlias

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    ApprovalKind,
    CaseApproval,
    CaseStatus,
    CaseType,
    DisplacedPerson,
    ProtectionCase,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    RiskLevel,
)
from cases.registry.filters import name_or_number_q
from protection.codes import CASE_PREFIX, REFERRAL_PREFIX, canonical_code

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from cases.casework.selectors import CaseFlags
    from protection.accounts.models import User

# The caseload the selectors hand over: cases with the flags they annotate.
Caseload: TypeAlias = "QuerySet[WithAnnotations[ProtectionCase, CaseFlags]]"


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Case number, person or name"))
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, label=_("Status"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open cases only"))
    risk_level = django_filters.MultipleChoiceFilter(
        choices=RiskLevel.choices, label=_("Risk level")
    )
    case_type = django_filters.ChoiceFilter(choices=CaseType.choices, label=_("Case type"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Assigned to me"))
    assigned_to = django_filters.NumberFilter(field_name="assigned_to_id", label=_("Case worker"))
    unassigned = django_filters.BooleanFilter(
        field_name="assigned_to", lookup_expr="isnull", label=_("Waiting for a case worker")
    )
    confidential = django_filters.BooleanFilter(label=_("Confidential"))
    site = django_filters.NumberFilter(field_name="primary_person__site_id", label=_("Site"))
    overdue_actions = django_filters.BooleanFilter(
        method="filter_overdue_actions", label=_("With overdue actions")
    )
    overdue_follow_up = django_filters.BooleanFilter(
        method="filter_overdue_follow_up", label=_("Follow-up overdue")
    )

    class Meta:
        model = ProtectionCase
        fields = [
            "q",
            "status",
            "open",
            "risk_level",
            "case_type",
            "mine",
            "assigned_to",
            "unassigned",
            "confidential",
            "site",
            "overdue_actions",
            "overdue_follow_up",
        ]

    def __init__(self, *args: Any, user: "User | None" = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_q(self, queryset: Caseload, name: str, value: str) -> Caseload:
        if not value.strip():
            return queryset
        number = canonical_code(value, prefixes=(CASE_PREFIX,))
        if number is not None:
            return queryset.filter(case_number=number)
        people = DisplacedPerson.objects.filter(name_or_number_q(value)).values("pk")
        return queryset.filter(primary_person__in=people)

    def filter_open(self, queryset: Caseload, name: str, value: bool | None) -> Caseload:
        if value is None:
            return queryset
        if value:
            return queryset.exclude(status=CaseStatus.CLOSED)
        return queryset.filter(status=CaseStatus.CLOSED)

    def filter_mine(self, queryset: Caseload, name: str, value: bool | None) -> Caseload:
        if not value or self.user is None:
            return queryset
        return queryset.filter(assigned_to_id=self.user.pk)

    # The two below read the annotations that cases.casework.selectors adds.
    def filter_overdue_actions(self, queryset: Caseload, name: str, value: bool | None) -> Caseload:
        if value is None:
            return queryset
        if value:
            return queryset.filter(overdue_actions__gt=0)
        return queryset.filter(overdue_actions=0)

    def filter_overdue_follow_up(
        self, queryset: Caseload, name: str, value: bool | None
    ) -> Caseload:
        if value is None:
            return queryset
        overdue = Q(follow_up_overdue=True)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ReferralFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(method="filter_code", label=_("Referral code"))
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices, label=_("Status"))
    urgency = django_filters.ChoiceFilter(choices=ReferralUrgency.choices, label=_("Urgency"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    service = django_filters.NumberFilter(field_name="service_id", label=_("Service"))
    sector = django_filters.CharFilter(field_name="service__sector__code", label=_("Sector code"))

    class Meta:
        model = Referral
        fields = ["code", "status", "urgency", "overdue", "service", "sector"]

    def filter_code(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        code = canonical_code(value, prefixes=(REFERRAL_PREFIX,))
        return queryset.filter(code=code) if code else queryset.none()

    def filter_overdue(
        self, queryset: QuerySet[Referral], name: str, value: bool | None
    ) -> QuerySet[Referral]:
        if value is None:
            return queryset
        overdue = Q(status=ReferralStatus.PENDING, response_due_at__lt=timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ApprovalFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ApprovalKind.choices, label=_("Kind"))

    class Meta:
        model = CaseApproval
        fields = ["kind"]

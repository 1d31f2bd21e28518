"""Every non-trivial read of cases and referrals, starting from the access policy.

The receiving side of a referral reads it only through `referral_inbox` and
`referral_shared_get`, which hold the referral's own fields and what was shared: never the case.

Reads are logged here (protection.reads), never by views: `case_get` logs the case and its
person, the case-part selectors (`case_notes`, `case_assessments`, `case_actions`,
`case_follow_ups`, `case_history`) log the case with the part read, the `*_page` selectors log
the rows of the page shown, and the referral selectors log the referral read.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.casework.filters import CaseFilter, ReferralFilter
from cases.casework.sharing import ReferralSharedView, shared_view
from cases.models import (
    OPEN_ACTION_STATUSES,
    ApprovalStatus,
    CaseAction,
    CaseApproval,
    CaseAssessment,
    CaseFollowUp,
    CaseStatus,
    DisplacedPerson,
    ProtectionCase,
    Referral,
    ReferralStatus,
    RiskLevel,
)
from protection import access
from protection.access import Action
from protection.models import AccessPurpose
from protection.reads import log_read, page_read

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from protection.accounts.models import User

PageT = TypeVar("PageT")


class CaseFlags(TypedDict):
    """What the case lists and detail carry besides the fields: derived, never stored."""

    overdue_actions: int
    next_follow_up_on: datetime.date | None
    follow_up_overdue: bool


class CaseDetailFlags(CaseFlags):
    pending_approvals: list[CaseApproval]


def _with_flags(
    cases: QuerySet[ProtectionCase], today: datetime.date
) -> "QuerySet[WithAnnotations[ProtectionCase, CaseFlags]]":
    """Annotate overdue actions and the next follow-up date (derived, never stored)."""
    overdue = (
        CaseAction.objects.filter(
            case=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES, due_on__lt=today
        )
        .order_by()
        .values("case")
        .annotate(total=Count("pk"))
        .values("total")
    )
    latest = CaseFollowUp.objects.filter(case=OuterRef("pk")).order_by("-followed_up_on", "-id")
    return cases.annotate(
        overdue_actions=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
        next_follow_up_on=Subquery(latest.values("next_follow_up_on")[:1]),
    ).annotate(
        follow_up_overdue=Case(
            When(
                ~Q(status=CaseStatus.CLOSED) & Q(next_follow_up_on__lt=today),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


# The narratives of a case, stored encrypted: a list that does not show them need not
# fetch and decrypt them (benchmarks/field_encryption.py measures what that costs).
CASE_NARRATIVES = ("summary", "closure_note")


def case_list(
    *, user: "User", filters: dict[str, Any] | None = None, narratives: bool = True
) -> "QuerySet[WithAnnotations[ProtectionCase, CaseFlags]]":
    """Return the cases the user may see, with their flags, newest first.

    `narratives=False` leaves the encrypted summary and closure note unread, for lists.
    """
    queryset = _with_flags(
        access.cases_for(user).select_related(
            "primary_person", "primary_person__site", "assigned_to"
        ),
        timezone.localdate(),
    ).order_by("-id")
    if not narratives:
        queryset = queryset.defer(*CASE_NARRATIVES)
    if filters:
        filterset = CaseFilter(filters, queryset=queryset, user=user)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def case_page(
    *,
    user: "User",
    cases: QuerySet[ProtectionCase],
    paginate: Callable[[QuerySet[ProtectionCase]], PageT],
    purpose: str = AccessPurpose.LIST,
) -> PageT:
    """Return the page of `cases` (from case_list); log the cases and the people they name."""
    return page_read(
        cases,
        user=user,
        paginate=paginate,
        shown=lambda rows: [record for case in rows for record in (case, case.primary_person)],
        purpose=purpose,
    )


def case_get(
    *, user: "User", pk: int, purpose: str = AccessPurpose.DETAIL
) -> "WithAnnotations[ProtectionCase, CaseDetailFlags]":
    """Return one case the user may see, with everything its page shows, or 404.

    The case and its person are logged with `purpose` (one insert), the linked members, whose
    names the file shows, as listed.
    """
    queryset = (
        _with_flags(access.cases_for(user), timezone.localdate())
        .select_related(
            "primary_person__household",
            "primary_person__site",
            "primary_person__displacement_status",
            "owning_agency",
            "assigned_to",
            "created_by",
        )
        .prefetch_related(
            "linked_persons",
            Prefetch(
                "assessments",
                queryset=CaseAssessment.objects.select_related("assessed_by").prefetch_related(
                    "specific_needs"
                ),
            ),
            Prefetch(
                "actions",
                queryset=CaseAction.objects.select_related("responsible_user", "referral"),
            ),
            Prefetch("follow_ups", queryset=CaseFollowUp.objects.select_related("recorded_by")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("service", "to_agency"),
            ),
            Prefetch(
                "approvals",
                queryset=CaseApproval.objects.filter(status=ApprovalStatus.PENDING).select_related(
                    "requested_by", "referral"
                ),
                to_attr="pending_approvals",
            ),
        )
    )
    case = get_object_or_404(queryset, pk=pk)
    log_read(user=user, objects=[case, case.primary_person], purpose=purpose)
    log_read(user=user, objects=case.linked_persons.all(), purpose=AccessPurpose.LIST)
    return case


@dataclass
class CaseloadCounts:
    """Open cases of a caseload counted by status and risk, and how many have something late."""

    total: int = 0
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    by_risk: list[tuple[str, str, int]] = field(default_factory=list)
    overdue_actions: int = 0
    follow_up_overdue: int = 0
    overdue_referrals: int = 0


def overdue_referral_exists() -> Exists:
    """Return an expression: the case has a referral still unanswered past its deadline."""
    return Exists(
        Referral.objects.filter(
            case=OuterRef("pk"), status=ReferralStatus.PENDING, response_due_at__lt=timezone.now()
        )
    )


def caseload_counts(*, user: "User", filters: dict[str, Any] | None = None) -> CaseloadCounts:
    """Count the user's open cases (narrowed by case_list filters) in one grouped query."""
    cases = case_list(user=user, filters={**(filters or {}), "open": True})
    rows = (
        cases.order_by()
        .values("status", "risk_level")
        .annotate(
            total=Count("pk"),
            late_actions=Count("pk", filter=Q(overdue_actions__gt=0)),
            late_follow_up=Count("pk", filter=Q(follow_up_overdue=True)),
            late_referrals=Count("pk", filter=Q(overdue_referral_exists())),
        )
    )
    counts = CaseloadCounts()
    statuses: dict[str, int] = {}
    risks: dict[str, int] = {}
    for row in rows:
        counts.total += row["total"]
        counts.overdue_actions += row["late_actions"]
        counts.follow_up_overdue += row["late_follow_up"]
        counts.overdue_referrals += row["late_referrals"]
        statuses[row["status"]] = statuses.get(row["status"], 0) + row["total"]
        risks[row["risk_level"]] = risks.get(row["risk_level"], 0) + row["total"]
    counts.by_status = [
        (value, str(label), statuses[value])
        for value, label in CaseStatus.choices
        if value in statuses
    ]
    counts.by_risk = [
        (value, str(label), risks[value]) for value, label in RiskLevel.choices if value in risks
    ]
    return counts


def approval_queue(*, user: "User") -> QuerySet[CaseApproval]:
    """Return the pending approvals the user may decide, oldest first."""
    if not access.can(user, Action.SUPERVISE_CASES):
        return CaseApproval.objects.none()
    return (
        CaseApproval.objects.filter(
            status=ApprovalStatus.PENDING, case__in=access.cases_for(user).values("pk")
        )
        .exclude(requested_by_id=user.pk)
        .select_related("case", "case__primary_person", "requested_by", "referral__service")
        .order_by("requested_at", "id")
    )


def approval_get(*, user: "User", pk: int) -> CaseApproval:
    """Return one approval the user may decide (or see decided), or 404."""
    queryset = CaseApproval.objects.filter(case__in=access.cases_for(user).values("pk"))
    if not access.can(user, Action.SUPERVISE_CASES):
        queryset = queryset.none()
    return get_object_or_404(queryset.select_related("case", "requested_by"), pk=pk)


def _filtered(queryset: QuerySet[Referral], filters: dict[str, Any] | None) -> QuerySet[Referral]:
    if not filters:
        return queryset
    filterset = ReferralFilter(filters, queryset=queryset)
    return filterset.qs if filterset.is_valid() else queryset.none()


def referral_page(
    *,
    user: "User",
    referrals: QuerySet[Referral],
    paginate: Callable[[QuerySet[Referral]], PageT],
    purpose: str = AccessPurpose.LIST,
) -> PageT:
    """Return the page of `referrals` (from referral_sent_list or referral_inbox) and log each
    referral on it."""
    return page_read(
        referrals, user=user, paginate=paginate, shown=lambda rows: rows, purpose=purpose
    )


def referral_sent_list(
    *, user: "User", filters: dict[str, Any] | None = None
) -> QuerySet[Referral]:
    """Return the referrals made from the cases the user may see, newest first."""
    queryset = (
        access.referrals_sent_for(user)
        .select_related("service", "to_agency", "case", "case__primary_person")
        .order_by("-id")
    )
    return _filtered(queryset, filters)


def referral_sent_get(
    *, user: "User", pk: int, purpose: str | None = AccessPurpose.DETAIL
) -> Referral:
    """Return one referral of a case the user may see, or 404.

    The referral and the person it shares data about are logged with `purpose` (one insert);
    `purpose=None` is for an API answer's target when the response reads it again (logged).
    """
    queryset = access.referrals_sent_for(user).select_related(
        "service__sector", "to_agency", "case", "consent_obtained_by", "override_approved_by"
    )
    referral = get_object_or_404(queryset, pk=pk)
    # The log needs only the person's id; the referral's case row already holds it.
    if purpose is not None:
        person = DisplacedPerson(pk=referral.case.primary_person_id)
        log_read(user=user, objects=[referral, person], purpose=purpose)
    return referral


# The only columns the receiving side reads: nothing that leads back into the case.
RECEIVED_FIELDS = (
    "id",
    "code",
    "service",
    "from_agency",
    "to_agency",
    "reason",
    "urgency",
    "status",
    "consent_basis",
    "shared_fields",
    "shared_data",
    "sent_at",
    "response_due_at",
    "responded_at",
    "decline_reason",
    "completed_at",
    "outcome",
    "cancelled_at",
    "cancel_reason",
)


_RECEIVED_RELATED = (
    "service__name",
    "service__sector",
    "from_agency__acronym",
    "from_agency__name",
)


def referral_inbox(*, user: "User", filters: dict[str, Any] | None = None) -> QuerySet[Referral]:
    """Return the referrals sent to the user's agency, newest first, without the case."""
    queryset = (
        access.referrals_received_for(user)
        .only(*RECEIVED_FIELDS, *_RECEIVED_RELATED)
        .select_related("service", "from_agency")
        .order_by("-id")
    )
    return _filtered(queryset, filters)


def referral_received_get(
    *, user: "User", pk: int, purpose: str | None = AccessPurpose.DETAIL
) -> Referral:
    """Return one referral sent to the user's agency, or 404; log it with `purpose`.

    The receiving side reads the person's shared data through the referral, so the read is
    filed under the referral. `purpose=None` is for an answer service's target when the
    response reads the referral again through `referral_shared_get` (which logs it).
    """
    referral = get_object_or_404(referral_inbox(user=user), pk=pk)
    if purpose is not None:
        log_read(user=user, objects=[referral], purpose=purpose)
    return referral


def referral_shared_get(*, user: "User", pk: int) -> ReferralSharedView:
    """Return the receiving side's view of one referral sent to the user's agency, or 404."""
    return shared_view(referral_received_get(user=user, pk=pk))

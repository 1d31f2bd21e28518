"""What the casework lists give to exports and statistics: cases and referrals.

Figures: cases by type, risk and status; referrals (made from the agency's cases, or sent to
it) by service and outcome. Individual rows hold codes, dates, statuses and who is assigned,
never a note, an assessment, a reason or anything else typed in free text; a confidential case
is never in an individual export, whoever asks.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.casework.filters import CaseFilter, ReferralFilter
from cases.casework.inbox_exports import REFERRALS_RECEIVED
from cases.casework.selectors import _with_flags
from cases.models import ProtectionCase, Referral
from protection import access
from protection.accounts.models import User
from protection.datasets import Dataset, Dimension, Figures, Listing, register_dataset
from protection.exporting import Column
from protection.roles import Action


def _case_figure_rows(user: User) -> QuerySet[ProtectionCase]:
    return _with_flags(access.figures_for(access.Records.CASES, user), timezone.localdate())


def _case_count(cases: QuerySet[ProtectionCase]) -> Mapping[tuple[str, ...], int]:
    rows = (
        cases.order_by()
        .values_list("case_type", "risk_level", "status")
        .annotate(cases=Count("id", distinct=True))
    )
    return {(case_type, risk, status): number for case_type, risk, status, number in rows}


def _cases(user: User) -> QuerySet[ProtectionCase]:
    return _with_flags(access.cases_for(user), timezone.localdate()).filter(confidential=False)


def _referral_figure_rows(user: User) -> QuerySet[Referral]:
    cases = access.figures_for(access.Records.CASES, user)
    made: QuerySet[Referral] = Referral.objects.filter(case__in=cases.values("pk"))
    received: QuerySet[Referral] = access.figures_for(access.Records.REFERRALS_RECEIVED, user)
    return made | received


def _referral_count(referrals: QuerySet[Referral]) -> Mapping[tuple[str, ...], int]:
    rows = (
        referrals.order_by()
        .values_list("service__name", "to_agency__acronym", "status")
        .annotate(referrals=Count("id", distinct=True))
    )
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for service, agency, status, number in rows:
        counts[(f"{service} ({agency})", status)] += number
    return counts


def _referrals(user: User) -> QuerySet[Referral]:
    return access.referrals_sent_for(user).filter(case__confidential=False)


def _plain_rows(chunk: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
    return [row[1:] for row in chunk]


CASES = Dataset(
    name="cases",
    title=_("Protection cases"),
    view_action=Action.VIEW_CASES,
    filterset=CaseFilter,
    filterset_takes_user=True,
    list_url="cases:case_list",
    statistic="cases",
    figures=Figures(
        dimensions=(
            Dimension("case_type", _("Case type"), "#case+type"),
            Dimension("risk_level", _("Risk level"), "#severity+risk"),
            Dimension("status", _("Status"), "#status+case"),
        ),
        count_label=_("Cases"),
        count_hxl="#case+num",
        rows=_case_figure_rows,
        count=_case_count,
    ),
    listing=Listing(
        model=ProtectionCase,
        columns=(
            Column(_("Case number"), "#case+id"),
            Column(_("Registration number"), "#beneficiary+id"),
            Column(_("Site"), "#loc+name"),
            Column(_("Case type"), "#case+type"),
            Column(_("Risk level"), "#severity+risk"),
            Column(_("Status"), "#status+case"),
            Column(_("Opened on"), "#date+opened"),
            Column(_("Closed on"), "#date+closed"),
            Column(_("Closure reason"), "#status+closure"),
            Column(_("Durable solution"), "#status+solution"),
            Column(_("Case worker"), "#contact+username"),
            Column(_("Agency"), "#org+name"),
        ),
        fields=(
            "case_number",
            "primary_person__registration_number",
            "primary_person__site__name",
            "case_type",
            "risk_level",
            "status",
            "opened_on",
            "closed_on",
            "closure_reason",
            "durable_solution",
            "assigned_to__username",
            "owning_agency__acronym",
        ),
        rows=_cases,
        render=_plain_rows,
    ),
)

REFERRALS = Dataset(
    name="referrals",
    title=_("Referrals"),
    view_action=Action.VIEW_CASES,
    filterset=ReferralFilter,
    list_url="cases:referral_sent_list",
    statistic="referrals",
    figures=Figures(
        dimensions=(
            Dimension("service", _("Service"), "#service+name"),
            Dimension("status", _("Outcome"), "#status+referral"),
        ),
        count_label=_("Referrals"),
        count_hxl="#referral+num",
        rows=_referral_figure_rows,
        count=_referral_count,
    ),
    listing=Listing(
        model=Referral,
        columns=(
            Column(_("Referral code"), "#referral+id"),
            Column(_("Case number"), "#case+id"),
            Column(_("Service"), "#service+name"),
            Column(_("Sector"), "#sector+code"),
            Column(_("Receiving agency"), "#org+receiving"),
            Column(_("Urgency"), "#severity+urgency"),
            Column(_("Status"), "#status+referral"),
            Column(_("Sent at"), "#date+sent"),
            Column(_("Answer due by"), "#date+due"),
            Column(_("Answered at"), "#date+answered"),
            Column(_("Completed at"), "#date+completed"),
        ),
        fields=(
            "code",
            "case__case_number",
            "service__name",
            "service__sector__code",
            "to_agency__acronym",
            "urgency",
            "status",
            "sent_at",
            "response_due_at",
            "responded_at",
            "completed_at",
        ),
        rows=_referrals,
        render=_plain_rows,
    ),
)


def register() -> None:
    register_dataset(CASES)
    register_dataset(REFERRALS)
    register_dataset(REFERRALS_RECEIVED)

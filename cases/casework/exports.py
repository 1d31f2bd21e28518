"""What the casework lists give to exports and statistics: cases and referrals.

Figures: cases by type, risk and status; referrals (made from the agency's cases, or sent to
it) by service and outcome. Individual rows hold codes, dates, statuses and who is assigned,
never a note, an assessment, a reason or anything else typed in free text; a confidential case
is never in an individual export, whoever asks.
"""

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.casework.filters import CaseFilter, ReferralFilter
from cases.casework.inbox_exports import REFERRALS_RECEIVED, SERVICE, referral_columns
from cases.casework.selectors import _with_flags
from cases.models import ProtectionCase, Referral
from protection import access
from protection.accounts.models import User
from protection.datasets import (
    Dataset,
    Dimension,
    Figures,
    Listing,
    count_by,
    register_dataset,
)
from protection.exporting import Column
from protection.roles import Action


def _case_figure_rows(user: User) -> QuerySet[ProtectionCase]:
    return _with_flags(access.figures_for(access.Records.CASES, user), timezone.localdate())


def _case_count(cases: QuerySet[ProtectionCase]) -> Mapping[tuple[str, ...], int]:
    return count_by(cases, "case_type", "risk_level", "status", distinct=True)


def _cases(user: User) -> QuerySet[ProtectionCase]:
    return _with_flags(access.cases_for(user), timezone.localdate()).filter(confidential=False)


def _referral_figure_rows(user: User) -> QuerySet[Referral]:
    cases = access.figures_for(access.Records.CASES, user)
    made: QuerySet[Referral] = Referral.objects.filter(case__in=cases.values("pk"))
    received: QuerySet[Referral] = access.figures_for(access.Records.REFERRALS_RECEIVED, user)
    return made | received


def _service_of(service: str, agency: str, status: str) -> tuple[str, ...]:
    return (f"{service} ({agency})", status)


def _referral_count(referrals: QuerySet[Referral]) -> Mapping[tuple[str, ...], int]:
    return count_by(
        referrals,
        "service__name",
        "to_agency__acronym",
        "status",
        key=_service_of,
        distinct=True,
    )


def _referrals(user: User) -> QuerySet[Referral]:
    return access.referrals_sent_for(user).filter(case__confidential=False)


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
            Column(_("Case number"), "#case+id", "case_number"),
            Column(
                _("Registration number"), "#beneficiary+id", "primary_person__registration_number"
            ),
            Column(_("Site"), "#loc+name", "primary_person__site__name"),
            Column(_("Case type"), "#case+type", "case_type"),
            Column(_("Risk level"), "#severity+risk", "risk_level"),
            Column(_("Status"), "#status+case", "status"),
            Column(_("Opened on"), "#date+opened", "opened_on"),
            Column(_("Closed on"), "#date+closed", "closed_on"),
            Column(_("Closure reason"), "#status+closure", "closure_reason"),
            Column(_("Durable solution"), "#status+solution", "durable_solution"),
            Column(_("Case worker"), "#contact+username", "assigned_to__username"),
            Column(_("Agency"), "#org+name", "owning_agency__acronym"),
        ),
        rows=_cases,
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
        dimensions=(SERVICE, Dimension("status", _("Outcome"), "#status+referral")),
        count_label=_("Referrals"),
        count_hxl="#referral+num",
        rows=_referral_figure_rows,
        count=_referral_count,
    ),
    listing=Listing(
        model=Referral,
        columns=referral_columns(
            Column(_("Case number"), "#case+id", "case__case_number"),
            Column(_("Receiving agency"), "#org+receiving", "to_agency__acronym"),
        ),
        rows=_referrals,
    ),
)


def register() -> None:
    register_dataset(CASES)
    register_dataset(REFERRALS)
    register_dataset(REFERRALS_RECEIVED)

"""What the referrals inbox gives to exports: the referrals other agencies sent to the agency.

The receiving agency exports what it was sent and nothing more: the referral's own facts and
the person's fields that the sending officer chose to share (the data-sharing rules decided
which, when the referral was sent), never the case behind it. The safety plan, a narrative,
never leaves; nor do the reasons, outcomes and other free text. The export honours the inbox's
filters: its status ("" waiting or in progress, "all", or one status), urgency and overdue.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Referral, ReferralStatus, ReferralUrgency, SharedField
from protection import access
from protection.accounts.models import User
from protection.datasets import Dataset, Dimension, Figures, Listing, count_by
from protection.exporting import Column
from protection.roles import Action

# The inbox's default: what waits for an answer, or is accepted and in progress.
OPEN_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
_TRUE = ("on", "true", "True", "1")


class ReceivedReferralFilter(django_filters.FilterSet):
    """The referrals inbox's filters, as its page's query string carries them."""

    status = django_filters.ChoiceFilter(
        choices=[("all", _("All referrals")), *ReferralStatus.choices],
        method="filter_status",
        label=_("Status"),
    )
    urgency = django_filters.ChoiceFilter(choices=ReferralUrgency.choices, label=_("Urgency"))
    overdue = django_filters.ChoiceFilter(
        choices=[(value, _("Overdue only")) for value in _TRUE],
        method="filter_overdue",
        label=_("Overdue only"),
    )

    class Meta:
        model = Referral
        fields = ["status", "urgency", "overdue"]

    def filter_queryset(self, queryset: QuerySet[Referral]) -> QuerySet[Referral]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        return queryset

    def filter_status(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        return queryset if value == "all" else queryset.filter(status=value)

    def filter_overdue(
        self, queryset: QuerySet[Referral], name: str, value: str
    ) -> QuerySet[Referral]:
        return queryset.filter(status=ReferralStatus.PENDING, response_due_at__lt=timezone.now())


def _figure_rows(user: User) -> QuerySet[Referral]:
    received: QuerySet[Referral] = access.figures_for(access.Records.REFERRALS_RECEIVED, user)
    return received


def _count(referrals: QuerySet[Referral]) -> Mapping[tuple[str, ...], int]:
    return count_by(referrals, "service__name", "status", distinct=True)


def _received(user: User) -> QuerySet[Referral]:
    """The referrals sent to the user's agency, as the inbox lists them; none without the
    role that answers them."""
    if not access.can(user, Action.RESPOND_REFERRALS):
        return Referral.objects.none()
    received: QuerySet[Referral] = access.referrals_received_for(user)
    return received.filter(~Q(status=ReferralStatus.AWAITING_APPROVAL))


# The shared fields an export carries, in the fixed list's order: all but the safety plan.
SHARED_COLUMNS: tuple[tuple[str, str], ...] = (
    (SharedField.FULL_NAME, "#beneficiary+name"),
    (SharedField.REGISTRATION_NUMBER, "#beneficiary+id"),
    (SharedField.DATE_OF_BIRTH, "#date+birth"),
    (SharedField.AGE, "#beneficiary+age"),
    (SharedField.SEX, "#beneficiary+sex"),
    (SharedField.NATIONALITY, "#beneficiary+nationality"),
    (SharedField.LANGUAGES, "#beneficiary+language"),
    (SharedField.PHONE, "#contact+phone"),
    (SharedField.LOCATION, "#loc+name"),
    (SharedField.DISPLACEMENT_STATUS, "#status+displacement"),
    (SharedField.SPECIFIC_NEEDS, "#beneficiary+needs"),
    (SharedField.CASE_TYPE, "#case+type"),
    (SharedField.RISK_LEVEL, "#severity+risk"),
)


def _shared_cell(name: str, value: Any) -> Any:
    """Return a shared value as one cell (lists joined, the date and place flattened)."""
    if value is None:
        return ""
    if name == SharedField.DATE_OF_BIRTH and isinstance(value, dict):
        return value.get("date", "")
    if name == SharedField.LOCATION and isinstance(value, dict):
        return ", ".join(
            str(part) for part in (value.get("site_name"), value.get("shelter")) if part
        )
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


def _render(chunk: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
    rows: list[Sequence[Any]] = []
    for row in chunk:
        shared = row[-1] or {}
        rows.append(
            [*row[1:-1], *(_shared_cell(name, shared.get(name)) for name, _tag in SHARED_COLUMNS)]
        )
    return rows


_labels = dict(SharedField.choices)

SERVICE = Dimension("service", _("Service"), "#service+name")


def referral_columns(second: Column, after_sector: Column | None = None) -> tuple[Column, ...]:
    """The columns of a referral's own facts, with a list's own after the code and the sector."""
    return (
        Column(_("Referral code"), "#referral+id", "code"),
        second,
        Column(_("Service"), "#service+name", "service__name"),
        Column(_("Sector"), "#sector+code", "service__sector__code"),
        *((after_sector,) if after_sector is not None else ()),
        Column(_("Urgency"), "#severity+urgency", "urgency"),
        Column(_("Status"), "#status+referral", "status"),
        Column(_("Sent at"), "#date+sent", "sent_at"),
        Column(_("Answer due by"), "#date+due", "response_due_at"),
        Column(_("Answered at"), "#date+answered", "responded_at"),
        Column(_("Completed at"), "#date+completed", "completed_at"),
    )


REFERRALS_RECEIVED = Dataset(
    name="referrals_received",
    title=_("Referrals received"),
    view_action=Action.RESPOND_REFERRALS,
    filterset=ReceivedReferralFilter,
    list_url="cases:referral_inbox",
    figures=Figures(
        dimensions=(SERVICE, Dimension("status", _("Status"), "#status+referral")),
        count_label=_("Referrals"),
        count_hxl="#referral+num",
        rows=_figure_rows,
        count=_count,
    ),
    listing=Listing(
        model=Referral,
        columns=(
            *referral_columns(Column(_("From"), "#org+sending", "from_agency__acronym")),
            *(Column(_labels[name], tag) for name, tag in SHARED_COLUMNS),
        ),
        extra_fields=("shared_data",),
        rows=_received,
        render=_render,
    ),
)

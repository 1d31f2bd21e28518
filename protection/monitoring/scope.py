"""What the dashboards, indicators and report count for a user: the figures' scope.

Figures start from the access policy, as the exports' and the statistics' do. The sites are
the user's (`access.sites_for`); another agency's site is not found. Within them, the rows
counted are the policy's figure scope (`access.figures_for`: for a user who may see the
records, exactly those; for an analyst, the same rule applied to the agency's rows, never a
confidential case). A user who may see the cases sees the exact figures; one whose role allows
aggregated figures only sees every count suppressed below the threshold (`protection.figures`),
so that a small count cannot point at a person.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from camps.models import Site
from cases.models import ProtectionCase, Referral
from incidents.models import Alert, Incident, Verification
from protection import access
from protection.access import Action

if TYPE_CHECKING:
    from protection.accounts.models import User


@dataclass(frozen=True)
class FigureScope:
    """The rows a user's figures count, and whether the user sees them exactly."""

    user: "User"
    agency_id: int
    exact: bool

    def sites(self) -> QuerySet[Site]:
        return access.sites_for(self.user)

    def cases(self) -> QuerySet[ProtectionCase]:
        """Cases of the user's sites (by the primary person's site) that the figures count."""
        rows: QuerySet[ProtectionCase] = access.figures_for(access.Records.CASES, self.user)
        return rows.filter(primary_person__site__in=self.sites().values("pk"))

    def referrals(self) -> QuerySet[Referral]:
        """Referrals made from those cases."""
        return Referral.objects.filter(case__in=self.cases().values("pk"))

    def incidents(self) -> QuerySet[Incident]:
        """Incidents in the user's sites that were not discredited."""
        rows: QuerySet[Incident] = access.figures_for(access.Records.INCIDENTS, self.user)
        return rows.filter(site__in=self.sites().values("pk")).exclude(
            verification=Verification.DISCREDITED
        )

    def alerts(self) -> QuerySet[Alert]:
        """Alerts raised about the user's sites (for an incident there or an early warning);
        a drill's alerts are measured in the drill's report, never in the indicators."""
        return Alert.objects.filter(
            Q(incident__isnull=True) | Q(incident__drill__isnull=True),
            site__in=self.sites().values("pk"),
        )


def figure_scope(user: "User") -> FigureScope:
    """Return the user's figures' scope; PermissionDenied unless the role allows figures."""
    access.require(user, Action.VIEW_AGGREGATES)
    agency = access.agency_of(user)
    assert agency is not None  # require() passed: the user has an active agency
    return FigureScope(user=user, agency_id=agency.pk, exact=access.can(user, Action.VIEW_CASES))

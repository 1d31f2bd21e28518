"""What the dashboards, indicators and report count for a user: the figures' scope.

Figures start from the access policy. The sites are the user's (`access.sites_for`); another
agency's site is not found. Within them, a user who may see the records counts exactly the
records the policy shows them (`cases_for`, `referrals_sent_for`, `incidents_for`) and sees the
exact figures. A user whose role allows aggregated figures only (an analyst) counts the rows
the agency owns in its sites, and sees every count suppressed below the threshold
(`protection.figures`), so that a small count cannot point at a person.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

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
        """Cases of the user's sites (by the primary person's site)."""
        if self.exact:
            rows = access.cases_for(self.user)
        else:
            rows = ProtectionCase.objects.filter(owning_agency_id=self.agency_id)
        return rows.filter(primary_person__site__in=self.sites().values("pk"))

    def referrals(self) -> QuerySet[Referral]:
        """Referrals the agency sent from cases of the user's sites."""
        if self.exact:
            rows = access.referrals_sent_for(self.user)
        else:
            rows = Referral.objects.filter(from_agency_id=self.agency_id)
        return rows.filter(case__primary_person__site__in=self.sites().values("pk"))

    def incidents(self) -> QuerySet[Incident]:
        """Incidents in the user's sites that were not discredited."""
        if self.exact and access.can(self.user, Action.VIEW_INCIDENTS):
            rows = access.incidents_for(self.user)
        else:
            rows = Incident.objects.all()
        return rows.filter(site__in=self.sites().values("pk")).exclude(
            verification=Verification.DISCREDITED
        )

    def alerts(self) -> QuerySet[Alert]:
        """Alerts raised about the user's sites (for an incident there or an early warning)."""
        return Alert.objects.filter(site__in=self.sites().values("pk"))


def figure_scope(user: "User") -> FigureScope:
    """Return the user's figures' scope; PermissionDenied unless the role allows figures."""
    access.require(user, Action.VIEW_AGGREGATES)
    agency = access.agency_of(user)
    assert agency is not None  # require() passed: the user has an active agency
    return FigureScope(user=user, agency_id=agency.pk, exact=access.can(user, Action.VIEW_CASES))

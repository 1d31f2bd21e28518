"""Pages about sites: the list with population against capacity, and one site's situation."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from camps import selectors
from camps.census import census
from camps.models import PopulationSnapshot, Site
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest

if TYPE_CHECKING:
    from cases.models import DisplacedPerson, Household

RECENT_ROWS = 10
TREND_ROWS = 30


@dataclass(frozen=True)
class SiteRow:
    """A site of the list with its occupancy worked out for display."""

    site: Site
    population: int

    @property
    def occupancy_percent(self) -> int | None:
        capacity = self.site.capacity
        return round(100 * self.population / capacity) if capacity else None

    @property
    def over_capacity(self) -> bool:
        return self.population > self.site.capacity


@login_required
@require_GET
def site_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the sites the user may see, with population against capacity."""
    access.require(request.user, Action.VIEW_SITES)
    rows = [
        SiteRow(site=site, population=site.population)  # type: ignore[attr-defined]
        for site in selectors.site_list(user=request.user)
    ]
    return render(request, "camps/site_list.html", {"rows": rows})


def _trend(site: Site) -> list[dict[str, Any]]:
    """Return the last snapshots, newest first, with the change since the one before."""
    snapshots = list(
        PopulationSnapshot.objects.filter(site=site).order_by("-taken_on")[: TREND_ROWS + 1]
    )
    rows = []
    for index, current in enumerate(snapshots[:TREND_ROWS]):
        previous = snapshots[index + 1] if index + 1 < len(snapshots) else None
        change = current.individuals - previous.individuals if previous else None
        rows.append({"snapshot": current, "change": change})
    return rows


@login_required
@require_GET
def site_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show a site's population by age and sex, its trend and its latest registrations."""
    access.require(request.user, Action.VIEW_SITES)
    site = selectors.site_get(user=request.user, pk=pk)
    population = selectors.site_population(site=site)
    may_view_people = access.can(request.user, Action.VIEW_PEOPLE)
    households: list[Household] = []
    people: list[DisplacedPerson] = []
    if may_view_people:
        households, people = census().recent_registrations(
            user=request.user, site_pk=site.pk, rows=RECENT_ROWS
        )
    return render(
        request,
        "camps/site_detail.html",
        {
            "site": site,
            "population": population,
            "households": households,
            "people": people,
            "may_view_people": may_view_people,
            "trend": _trend(site),
        },
    )

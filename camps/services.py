"""Writes about sites: the population snapshot kept for trends."""

import datetime

from django.db import transaction
from django.utils import timezone

from camps.models import PopulationSnapshot, Site
from camps.selectors import site_population


def population_snapshot_take(*, site: Site, day: datetime.date | None = None) -> PopulationSnapshot:
    """Store (or refresh) the site's population for the day; running twice keeps one row."""
    day = day or timezone.localdate()
    population = site_population(site=site, today=day)
    with transaction.atomic():
        snapshot, _created = PopulationSnapshot.objects.update_or_create(
            site=site,
            taken_on=day,
            defaults={
                "individuals": population.individuals,
                "households": population.households,
                "breakdown": population.breakdown,
            },
        )
    return snapshot

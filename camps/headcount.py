"""A site's maintained headcount: the registry's services move it, a beat task checks it.

The site list shows every site's active population; counting the registry for it grew with the
number of people (a correlated count per site). Instead, each service that registers, moves or
changes the status of people adds the difference to the site's row of `SiteHeadcount` in its own
transaction (`headcount_adjust`), and `headcount_recount` (a beat task) counts from scratch,
corrects any drift, audits the correction and logs it.

Concurrent writers to one site queue on its row: the upsert's row lock, held to the commit.
Every writer takes the audit chain's lock before that row's (it audits anyway, and the chain's
lock is held to the commit too), so two writers never wait for each other's rows in turn. The
recount counts without a lock first; only when the count differs does it take both locks and
count again, so a registration either committed before that count (and is in it) or adds its
difference after the recount has set the row.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from camps.census import census
from camps.models import Site, SiteHeadcount
from protection.audit import audit_record
from protection.audit_chain import AUDIT_CHAIN, chain_lock

logger = logging.getLogger(__name__)

_UPSERT = """
INSERT INTO {table} (site_id, individuals, households, updated_at) VALUES (%s, %s, %s, %s)
ON CONFLICT (site_id) DO UPDATE SET
    individuals = {table}.individuals + EXCLUDED.individuals,
    households = {table}.households + EXCLUDED.households,
    updated_at = EXCLUDED.updated_at
"""


def headcount_adjust(*, site_id: int, individuals: int = 0, households: int = 0) -> None:
    """Add to a site's active people and households; call inside the writing transaction.

    One statement, whatever the number of people (a bulk import adds a whole batch at once).
    """
    if not individuals and not households:
        return
    chain_lock(AUDIT_CHAIN, using=connection.alias)
    table = connection.ops.quote_name(SiteHeadcount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(table=table), [site_id, individuals, households, timezone.now()]
        )


@dataclass(frozen=True)
class HeadcountDrift:
    """A site whose kept counts differed from a full count: (kept, counted) of each."""

    site_id: int
    individuals: tuple[int, int]
    households: tuple[int, int]


def headcount_recount_site(*, site_id: int) -> HeadcountDrift | None:
    """Count one site's active people and households again and correct its row.

    Return the drift found, or None when the kept counts were right.
    """
    SiteHeadcount.objects.bulk_create([SiteHeadcount(site_id=site_id)], ignore_conflicts=True)
    counted = census().headcount(site_id=site_id)
    now = timezone.now()
    kept = SiteHeadcount.objects.get(site_id=site_id)
    if (kept.individuals, kept.households) == counted:
        SiteHeadcount.objects.filter(site_id=site_id).update(recounted_at=now)
        return None
    with transaction.atomic():
        # Writers may have moved the counts meanwhile: count again, with them waiting.
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        kept = SiteHeadcount.objects.select_for_update().get(site_id=site_id)
        individuals, households = census().headcount(site_id=site_id)
        drift = None
        if (kept.individuals, kept.households) != (individuals, households):
            drift = HeadcountDrift(
                site_id=site_id,
                individuals=(kept.individuals, individuals),
                households=(kept.households, households),
            )
            audit_record(
                actor=None,
                action="site.headcount_correct",
                obj=Site.objects.only("pk", "code").get(pk=site_id),
                changes={
                    "individuals": list(drift.individuals),
                    "households": list(drift.households),
                },
            )
            logger.warning(
                "Site %s headcount drifted: people %s counted %s, households %s counted %s; "
                "corrected",
                site_id,
                kept.individuals,
                individuals,
                kept.households,
                households,
            )
        kept.individuals, kept.households = individuals, households
        kept.recounted_at = kept.updated_at = now
        kept.save(update_fields=["individuals", "households", "recounted_at", "updated_at"])
    return drift


def headcount_recount(*, site_ids: Iterable[int] | None = None) -> list[HeadcountDrift]:
    """Recount every site (or those given), one transaction each; return the drifts corrected.

    A site's writers wait for its own count only (an index-only scan of its active people).
    """
    if site_ids is None:
        site_ids = Site.objects.order_by("pk").values_list("pk", flat=True)
    drifts = [d for pk in list(site_ids) if (d := headcount_recount_site(site_id=pk))]
    logger.info("Site headcounts recounted: %d corrected", len(drifts))
    return drifts

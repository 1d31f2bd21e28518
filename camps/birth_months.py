"""A site's active people by sex and month of birth, kept up to date, and their recount.

The camp page breaks a site's population down by sex and age group. Counting the registry for
it grew with the site (every active person read at each view); instead, the registry's services
add the difference to `SiteBirthMonthCount` in the transaction that registers, edits, moves,
anonymises or changes the status of people (cases.registry.headcount), and the page reads
these rows. Ages move with the calendar, so the rows keep the month of birth, not the age
group: the months an age boundary falls in today are counted from the people themselves.

Writers take the audit chain's lock before these rows (as for the headcount, camps.headcount);
`birth_months_recount_site` counts without a lock first and, only when the kept rows differ,
takes that lock and counts again, so no writer's difference is lost or counted twice.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import connection, transaction

from camps.census import census
from camps.models import Site, SiteBirthMonthCount
from protection.audit import audit_record
from protection.audit_chain import AUDIT_CHAIN, chain_lock

logger = logging.getLogger(__name__)

Cells = dict[tuple[str, datetime.date], int]


def birth_months_kept(*, site_id: int) -> Cells:
    """The site's kept counts by (sex, first day of the month of birth), leaving out zeros."""
    rows = SiteBirthMonthCount.objects.filter(site_id=site_id).exclude(people=0)
    return {
        (sex, month): people for sex, month, people in rows.values_list("sex", "born_in", "people")
    }


def birth_months_recount_site(*, site_id: int) -> int:
    """Count one site's active people by sex and month of birth again and correct its rows.

    Return how many (sex, month) counts were wrong (0 when all were right).
    """
    if birth_months_kept(site_id=site_id) == census().birth_months(site_id=site_id):
        return 0
    with transaction.atomic():
        # Writers may have moved the counts meanwhile: count again, with them waiting.
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        kept = birth_months_kept(site_id=site_id)
        counted = census().birth_months(site_id=site_id)
        wrong = [
            cell for cell in kept.keys() | counted.keys() if kept.get(cell) != counted.get(cell)
        ]
        if not wrong:
            return 0
        SiteBirthMonthCount.objects.filter(site_id=site_id).delete()
        SiteBirthMonthCount.objects.bulk_create(
            SiteBirthMonthCount(site_id=site_id, sex=sex, born_in=month, people=people)
            for (sex, month), people in sorted(counted.items())
        )
        audit_record(
            actor=None,
            action="site.birth_months_correct",
            obj=Site.objects.only("pk", "code").get(pk=site_id),
            changes={
                "individuals": [sum(kept.values()), sum(counted.values())],
                "cells": len(wrong),
            },
        )
        logger.warning(
            "Site %s counts by sex and month of birth drifted: %d of them corrected",
            site_id,
            len(wrong),
        )
    return len(wrong)


def birth_months_recount(*, site_ids: Iterable[int] | None = None) -> list[int]:
    """Recount every site (or those given), one transaction each; return the sites corrected."""
    if site_ids is None:
        site_ids = Site.objects.order_by("pk").values_list("pk", flat=True)
    corrected = [pk for pk in list(site_ids) if birth_months_recount_site(site_id=pk)]
    logger.info("Site counts by sex and month of birth recounted: %d corrected", len(corrected))
    return corrected

"""Celery tasks for sites: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from camps.birth_months import birth_months_recount
from camps.headcount import headcount_recount
from camps.models import Site, SiteStatus
from camps.services import population_snapshot_take
from protection.audit import task_context


@shared_task(name="camps.tasks.population_snapshot_take")
def population_snapshot_take_task(site_id: int) -> None:
    """Take today's population snapshot of one site."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return
    with task_context():
        population_snapshot_take(site=site)


@shared_task(name="camps.tasks.population_snapshot_take_all")
def population_snapshot_take_all() -> int:
    """Fan out one snapshot task per open site; return how many were queued."""
    site_ids = list(Site.objects.filter(status=SiteStatus.OPEN).values_list("pk", flat=True))
    for site_id in site_ids:
        population_snapshot_take_task.delay(site_id)
    return len(site_ids)


@shared_task(name="camps.tasks.headcounts_recount")
def headcounts_recount() -> int:
    """Recount every site's people from scratch and correct any drift; return how many drifted.

    Both the headcount (camps.headcount) and the counts by sex and month of birth
    (camps.birth_months); each correction is audited and logged, and running twice corrects
    nothing more.
    """
    with task_context():
        drifted = {drift.site_id for drift in headcount_recount()}
        return len(drifted | set(birth_months_recount()))

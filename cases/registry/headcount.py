"""Keep each site's maintained headcount (camps.headcount) in step with the registry's writes.

Every service that adds people, changes whether a person is active or moves a household calls
one of these inside its transaction. A household counts while it has an active member, so a
change that may empty a household (or bring it back) locks the household's row first: two
changes to members of the same household then see each other's result, and the household is
counted in or out once.
"""

from camps.headcount import headcount_adjust
from cases.models import DisplacedPerson, Household, PersonStatus


def household_lock(household_id: int) -> int:
    """Lock the household's row until the commit and return its site's id.

    FOR NO KEY UPDATE: new members may still reference the household meanwhile.
    """
    return int(
        Household.objects.select_for_update(no_key=True)
        .filter(pk=household_id)
        .values_list("site_id", flat=True)
        .get()
    )


def _active_members(household_id: int) -> int:
    return DisplacedPerson.objects.filter(
        household_id=household_id, status=PersonStatus.ACTIVE
    ).count()


def households_registered(*, site_id: int, households: int, people: int) -> None:
    """Count new households (each with at least one member) and their people, all active."""
    headcount_adjust(site_id=site_id, individuals=people, households=households)


def members_activated(*, household_id: int, site_id: int, change: int) -> None:
    """Count `change` members of a household locked by household_lock who became active
    (positive: added, or back) or stopped being active (negative: departed, died, ...)."""
    if not change:
        return
    active = _active_members(household_id)
    households = int(active > 0) - int(active - change > 0)
    headcount_adjust(site_id=site_id, individuals=change, households=households)


def household_moved(*, household_id: int, from_site_id: int, to_site_id: int) -> None:
    """Move a locked household's active members (and the household) to another site's count."""
    active = _active_members(household_id)
    if not active or from_site_id == to_site_id:
        return
    # Lower site id first, so that two moves in opposite directions lock in the same order.
    for site_id, sign in sorted([(from_site_id, -1), (to_site_id, 1)]):
        headcount_adjust(site_id=site_id, individuals=sign * active, households=sign)

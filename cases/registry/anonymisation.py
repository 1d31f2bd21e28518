"""Anonymise people and households: what retention and erasure on request do to the registry.

Anonymising removes what identifies a person (names, aliases, phone, documents and identifiers,
the photo, languages and language needs, place of origin, the reason given for a status, the
search keys derived from the names) and replaces the exact date of birth by one that gives the same
age today, marked estimated; it keeps sex, age group, site, household, statuses, specific needs and
every code, so that the population of a site (camps.census) and every count stay true. A
household loses its address once all its members are anonymised. The rows stay (cases, incidents
and history point to them) and are changed set-based, a batch of ids per statement, with one
audit event per record inserted in one statement: ids and the kind, never a value.

Nothing here touches a person under a legal hold or with a case that is still kept (open, under
a hold, or not yet past its own retention): `people_releasable` says who is free.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from cases.models import (
    DisplacedPerson,
    Household,
    PersonCorrection,
    PersonIdentifier,
    PersonLanguageNeeds,
    PersonPhoto,
    PersonStatus,
    ProtectionCase,
)
from cases.registry.headcount import people_details_changed, people_details_changing
from protection import access
from protection.access import Action
from protection.accounts.services import is_superuser
from protection.audit import audit_bulk, audit_record
from protection.dates import age_on, years_before
from protection.retention import Counts, RetentionPass, keyset_batches

if TYPE_CHECKING:
    from protection.accounts.types import Viewer

# What anonymising writes over a person's identifying fields.
PERSON_CLEARED: dict[str, Any] = {
    "given_name": "",
    "family_name": "",
    "other_names": "",
    "languages": "",
    "origin_location": "",
    "phone": "",
    "documents": [],
    "status_reason": "",
    "name_search": "",
    "given_key": "",
    "family_key": "",
    "name_keys": "",
    "given_letters": "",
    "family_letters": "",
    "date_of_birth_estimated": True,
}
# Half a year before the day the person turned the age they have today: the same age (and
# age group) today, and nothing of the real birthday.
HALF_YEAR = datetime.timedelta(days=182)


def coarse_birth_date(born: datetime.date, today: datetime.date) -> datetime.date:
    """Return the date of birth an anonymised person keeps: their age today, no more."""
    return years_before(today, age_on(born, today)) - HALF_YEAR


def _coarse_birth_date_sql(today: datetime.date) -> RawSQL:
    """`coarse_birth_date` as one SQL expression over the row (PostgreSQL)."""
    return RawSQL(
        "(%s::date - make_interval(years => date_part('year', age(%s::date, date_of_birth))"
        "::int) - interval '182 days')::date",
        [today, today],
    )


def people_releasable(people: "QuerySet[DisplacedPerson]") -> "QuerySet[DisplacedPerson]":
    """Return those of `people` that may be anonymised: not yet anonymised, not under a legal
    hold, and with no case (as its person or a linked member) that is still kept."""
    kept_cases = ProtectionCase.objects.filter(anonymised_on__isnull=True)
    linked = ProtectionCase.linked_persons.through.objects.filter(
        displacedperson_id=OuterRef("pk"), protectioncase__anonymised_on__isnull=True
    )
    return (
        people.filter(anonymised_on__isnull=True, legal_hold=False)
        .exclude(Exists(kept_cases.filter(primary_person_id=OuterRef("pk"))))
        .exclude(Exists(linked))
    )


def _clear(ids: Sequence[int], today: datetime.date) -> None:
    """Overwrite the people's identifying fields and birth dates, in one UPDATE on PostgreSQL.

    The officers' notes on corrections made at the person's request go too (the field and the
    reason code stay, as the audit trail keeps them).
    """
    PersonCorrection.objects.filter(person_id__in=ids).exclude(note="").update(note="")
    # The languages a person speaks say where they come from: they go with the names.
    PersonLanguageNeeds.objects.filter(person_id__in=ids).delete()
    # Document numbers and biometric ids identify the person anywhere: they go too.
    PersonIdentifier.objects.filter(person_id__in=ids).delete()
    # A face identifies the person as surely as a name.
    PersonPhoto.objects.filter(person_id__in=ids).delete()
    if connection.vendor == "postgresql":
        DisplacedPerson.objects.filter(pk__in=ids).update(
            anonymised_on=today, date_of_birth=_coarse_birth_date_sql(today), **PERSON_CLEARED
        )
        return
    people = list(DisplacedPerson.objects.filter(pk__in=ids).only("pk", "date_of_birth"))
    for person in people:
        person.date_of_birth = coarse_birth_date(person.date_of_birth, today)
    DisplacedPerson.objects.bulk_update(people, ["date_of_birth"])
    DisplacedPerson.objects.filter(pk__in=ids).update(anonymised_on=today, **PERSON_CLEARED)


def people_anonymise(
    *, actor: "Viewer | None", ids: Sequence[int], today: datetime.date, kind: str
) -> Counts:
    """Anonymise the people of `ids` that are still identifiable, and the households left
    with no identifiable member; return {"people": n, "households": m}.

    The caller has chosen the ids (people_releasable); the rows are locked and read again
    here, so a person anonymised meanwhile is not counted twice. `kind` is the retention
    kind, or "erasure" for a request, recorded in the audit trail.
    """
    with transaction.atomic():
        rows = list(
            DisplacedPerson.objects.select_for_update()
            .filter(pk__in=ids, anonymised_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "registration_number", "household_id")
        )
        if not rows:
            return {"people": 0, "households": 0}
        person_ids = [pk for pk, _code, _household in rows]
        # The birth date coarsened may move a person to another month of birth (not group).
        people_details_changing(person_ids)
        _clear(person_ids, today)
        people_details_changed(person_ids)
        changes = {"anonymised_on": [None, today.isoformat()], "retention_kind": [None, kind]}
        audit_bulk(
            actor=actor,
            action="person.anonymise",
            model=DisplacedPerson,
            records=[(pk, code) for pk, code, _household in rows],
            changes=changes,
        )
        identifiable = DisplacedPerson.objects.filter(
            household_id=OuterRef("pk"), anonymised_on__isnull=True
        )
        households = list(
            Household.objects.filter(
                pk__in={household for _pk, _code, household in rows}, anonymised_on__isnull=True
            )
            .exclude(Exists(identifiable))
            .order_by("pk")
            .values_list("pk", "code")
        )
        if households:
            Household.objects.filter(pk__in=[pk for pk, _code in households]).update(
                address="", anonymised_on=today
            )
            audit_bulk(
                actor=actor,
                action="household.anonymise",
                model=Household,
                records=households,
                changes=changes,
            )
    return {"people": len(rows), "households": len(households)}


def departed_people_expired(retention: RetentionPass) -> "QuerySet[DisplacedPerson]":
    """People who left the site (any status but active) before the cutoff and are free."""
    left = DisplacedPerson.objects.exclude(status=PersonStatus.ACTIVE).filter(
        Q(status_changed_on__lt=retention.cutoff_date)
        | Q(status_changed_on__isnull=True, created_at__lt=retention.cutoff)
    )
    return people_releasable(left)


def departed_people_apply(retention: RetentionPass) -> Counts:
    """Anonymise (or count, in a dry run) the departed people past their period."""
    expired = departed_people_expired(retention)
    if retention.dry_run:
        return {"people": expired.count()}
    counts = {"people": 0, "households": 0}
    for batch in keyset_batches(expired, size=retention.batch_size):
        for name, value in people_anonymise(
            actor=retention.actor, ids=batch, today=retention.today, kind=retention.kind
        ).items():
            counts[name] += value
    return counts


def legal_hold_check(actor: "Viewer", owning_agency_id: int) -> None:
    """Raise PermissionDenied unless the actor may place or lift holds on the agency's records:
    a platform superuser, or a role that manages holds in the owning agency."""
    if is_superuser(actor):
        return
    access.require(actor, Action.MANAGE_LEGAL_HOLDS)
    if getattr(actor, "agency_id", None) != owning_agency_id:
        raise PermissionDenied


def person_legal_hold_set(*, actor: "Viewer", person: DisplacedPerson, hold: bool) -> bool:
    """Place the person under a legal hold, or lift it; return whether anything changed.

    Raise PermissionDenied unless the actor's role manages holds and their agency owns the
    record (the caller has found it through the access policy, or the admin's agency filter).
    """
    legal_hold_check(actor, person.owning_agency_id)
    with transaction.atomic():
        locked = DisplacedPerson.objects.select_for_update().get(pk=person.pk)
        if locked.legal_hold == hold:
            return False
        locked.legal_hold = hold
        locked.save(update_fields=["legal_hold", "updated_at"])
        audit_record(
            actor=actor,
            action="person.legal_hold",
            obj=locked,
            changes={"legal_hold": [not hold, hold]},
        )
    person.legal_hold = hold
    return True

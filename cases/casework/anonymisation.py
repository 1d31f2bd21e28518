"""Anonymise protection cases, and erase a person on request: retention and erasure in casework.

A case past its retention keeps its number, type, risk level, dates, statuses, closure reason
and every link (so that case statistics and the history's shape stay true) and loses its
narratives: the summary, the closure note, assessments' risks, safety plans and wishes, plan
actions, follow-up and case notes, referrals' reasons, answers and shared information,
approvals' notes and the texts of its history. Narratives that a database rule requires are
overwritten with REMOVED, the others too, so that no cleared value tells whether one was
there. Then its people are anonymised (cases/registry/anonymisation.py) once no other case
keeps them.

Never touched: a case not closed, a case or person under a legal hold.
"""

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    CaseAction,
    CaseApproval,
    CaseAssessment,
    CaseEventText,
    CaseFollowUp,
    CaseNote,
    CaseStatus,
    DisplacedPerson,
    ErasureReason,
    PersonErasure,
    ProtectionCase,
    Referral,
)
from cases.registry.anonymisation import legal_hold_check, people_anonymise, people_releasable
from protection import access
from protection.access import Action
from protection.audit import audit_bulk, audit_record
from protection.retention import Counts, RetentionPass, keyset_batches

if TYPE_CHECKING:
    from protection.accounts.models import User
    from protection.accounts.types import Viewer

# What a removed narrative reads: not empty, because some must not be (a declined referral has
# a reason), and the same everywhere.
REMOVED = "—"
ERASURE_NOTE_MAX_LENGTH = 2000

# The narrative fields of a case and of its parts, by model and the path to the case.
NARRATIVES: tuple[tuple[type[models.Model], str, tuple[str, ...]], ...] = (
    (ProtectionCase, "pk", ("summary", "closure_note")),
    (CaseAssessment, "case_id", ("risks_identified", "safety_plan", "wishes")),
    (CaseAction, "case_id", ("description",)),
    (CaseFollowUp, "case_id", ("notes",)),
    (CaseNote, "case_id", ("text",)),
    (
        Referral,
        "case_id",
        ("reason", "override_justification", "decline_reason", "outcome", "cancel_reason"),
    ),
    (CaseApproval, "case_id", ("closure_note", "decision_note")),
)


def cases_anonymise(
    *,
    actor: "Viewer | None",
    ids: Sequence[int],
    today: datetime.date,
    kind: str,
    release_people: bool = True,
) -> Counts:
    """Remove the narratives of the cases of `ids` not anonymised yet, then (unless told not
    to) anonymise their people that no other case keeps; return {"cases": n, "people": m,
    "households": k}."""
    with transaction.atomic():
        rows = list(
            ProtectionCase.objects.select_for_update()
            .filter(pk__in=ids, anonymised_on__isnull=True)
            .order_by("pk")
            .values_list("pk", "case_number")
        )
        if not rows:
            return {"cases": 0, "people": 0, "households": 0}
        case_ids = [pk for pk, _code in rows]
        for model, to_case, fields in NARRATIVES:
            cleared = dict.fromkeys(fields, REMOVED)
            model._default_manager.filter(**{f"{to_case}__in": case_ids}).update(**cleared)
        Referral.objects.filter(case_id__in=case_ids).update(shared_data={})
        CaseEventText.objects.filter(case_id__in=case_ids).delete()
        ProtectionCase.objects.filter(pk__in=case_ids).update(anonymised_on=today)
        audit_bulk(
            actor=actor,
            action="case.anonymise",
            model=ProtectionCase,
            records=rows,
            changes={"anonymised_on": [None, today.isoformat()], "retention_kind": [None, kind]},
        )
        if not release_people:
            return {"cases": len(rows), "people": 0, "households": 0}
        linked = ProtectionCase.linked_persons.through.objects.filter(
            displacedperson_id=OuterRef("pk"), protectioncase_id__in=case_ids
        )
        people = people_releasable(
            DisplacedPerson.objects.filter(
                Q(protection_cases__in=case_ids) | Q(Exists(linked))
            ).distinct()
        )
        person_ids = list(people.order_by("pk").values_list("pk", flat=True))
        counts = people_anonymise(actor=actor, ids=person_ids, today=today, kind=kind)
    return {"cases": len(rows), **counts}


def closed_cases_expired(retention: RetentionPass) -> "QuerySet[ProtectionCase]":
    """Closed cases past their period, not anonymised, not held (nor their person)."""
    return ProtectionCase.objects.filter(
        status=CaseStatus.CLOSED,
        closed_on__lt=retention.cutoff_date,
        anonymised_on__isnull=True,
        legal_hold=False,
        primary_person__legal_hold=False,
    )


def closed_cases_apply(retention: RetentionPass) -> Counts:
    """Anonymise (or count, in a dry run) the closed cases past their period and their people."""
    expired = closed_cases_expired(retention)
    if retention.dry_run:
        # The people freed: linked to an expired case, kept by no case that is not expired.
        touched = DisplacedPerson.objects.filter(
            Q(Exists(expired.filter(primary_person_id=OuterRef("pk"))))
            | Q(Exists(expired.filter(linked_persons=OuterRef("pk"))))
        )
        kept = ProtectionCase.objects.filter(anonymised_on__isnull=True).exclude(
            pk__in=expired.values("pk")
        )
        freed = touched.filter(anonymised_on__isnull=True, legal_hold=False).exclude(
            Q(Exists(kept.filter(primary_person_id=OuterRef("pk"))))
            | Q(Exists(kept.filter(linked_persons=OuterRef("pk"))))
        )
        return {"cases": expired.count(), "people": freed.count()}
    counts = {"cases": 0, "people": 0, "households": 0}
    for batch in keyset_batches(expired, size=retention.batch_size):
        result = cases_anonymise(
            actor=retention.actor, ids=batch, today=retention.today, kind=retention.kind
        )
        for name, value in result.items():
            counts[name] += value
    return counts


def case_legal_hold_set(*, actor: "Viewer", case: ProtectionCase, hold: bool) -> bool:
    """Place the case under a legal hold, or lift it; return whether anything changed."""
    legal_hold_check(actor, case.owning_agency_id)
    with transaction.atomic():
        locked = ProtectionCase.objects.select_for_update().get(pk=case.pk)
        if locked.legal_hold == hold:
            return False
        locked.legal_hold = hold
        locked.save(update_fields=["legal_hold", "updated_at"])
        audit_record(
            actor=actor,
            action="case.legal_hold",
            obj=locked,
            changes={"legal_hold": [not hold, hold]},
        )
    case.legal_hold = hold
    return True


def person_erase_blocker(person: DisplacedPerson) -> str | None:
    """Return why the person cannot be erased now (anonymised, held, an open case), or None."""
    if person.anonymised_on is not None:
        return _("This record was anonymised already.")
    if person.legal_hold:
        return _(
            "This person is under a legal hold: the record cannot be erased until it is lifted."
        )
    cases = ProtectionCase.objects.filter(Q(primary_person=person) | Q(linked_persons=person))
    if cases.exclude(status=CaseStatus.CLOSED).exists():
        return _("This person has an open protection case: close it before erasing the record.")
    if cases.filter(primary_person=person, legal_hold=True).exists():
        return _(
            "A case of this person is under a legal hold: the record cannot be erased until "
            "it is lifted."
        )
    return None


def person_erase_validate(*, person: DisplacedPerson, reason: str, note: str) -> None:
    """Raise ValidationError when the person cannot be erased now, saying why."""
    errors: dict[str, list[str]] = {}
    if reason not in ErasureReason.values:
        errors["reason"] = [_("Choose one of the reasons listed.")]
    if len(note) > ERASURE_NOTE_MAX_LENGTH:
        errors["note"] = [
            _("Keep the note under %(count)d characters.") % {"count": ERASURE_NOTE_MAX_LENGTH}
        ]
    blocker = person_erase_blocker(person)
    if blocker:
        errors["__all__"] = [blocker]
    if errors:
        raise ValidationError(errors)


def person_erase(
    *, actor: "User", person: DisplacedPerson, reason: str, note: str = ""
) -> PersonErasure:
    """Anonymise the person now, on their request, with their closed cases: the same
    anonymisation as retention. Raise PermissionDenied when the actor's role may not erase
    or the record is not theirs to see, ValidationError (with the reason) when the person has
    an open case or is under a hold; nothing is written then."""
    access.require(actor, Action.ERASE_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    today = timezone.localdate()
    with transaction.atomic():
        locked = DisplacedPerson.objects.select_for_update().get(pk=person.pk)
        person_erase_validate(person=locked, reason=reason, note=note)
        erasure = PersonErasure.objects.create(
            person=locked, reason=reason, note=note, erased_by=actor
        )
        audit_record(
            actor=actor,
            action="person.erase",
            obj=locked,
            changes={"erasure_reason": [None, reason]},
        )
        case_ids = list(
            ProtectionCase.objects.filter(primary_person=locked, anonymised_on__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The other people linked to these cases did not ask: retention decides for them.
        cases_anonymise(
            actor=actor, ids=case_ids, today=today, kind="erasure", release_people=False
        )
        people_anonymise(actor=actor, ids=[locked.pk], today=today, kind="erasure")
    person.refresh_from_db()
    return erasure

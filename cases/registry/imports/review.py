"""The review of the rows an import held as likely duplicates: register anyway, or discard.

An officer of the import's agency who may register people looks at each held row with its
candidates and scores, and decides. A household goes as one, as in the dry run: the decision
on a row is the decision on every row held with it (its household's members). Registering
goes through the commit's own path (cases.registry.imports.commit.commit_rows: the same
staged values, audit events and row marking), in one transaction with the decision; discarding
keeps the reason with the rows. Each decision is audited (ids and statuses, never the reason's
text). A decision asked again (a retried request) changes nothing and answers the row as it is.
"""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import ImportRow, ImportRowStatus, ImportStatus, RegistryImport
from cases.registry.imports.commit import commit_rows
from cases.registry.imports.services import check_import_site
from cases.registry.imports.staging import Staged
from protection import access
from protection.access import Action
from protection.audit import audit_record_rows

if TYPE_CHECKING:
    from protection.accounts.models import User

REVIEW_STATUSES = (ImportStatus.VALIDATED, ImportStatus.IMPORTING, ImportStatus.DONE)
REASON_MAX_LENGTH = 300


def can_review(actor: "User", registry_import: RegistryImport) -> bool:
    """Return whether `actor` may decide on the import's held rows (role and agency)."""
    return (
        access.can(actor, Action.IMPORT_PEOPLE)
        and access.can(actor, Action.REGISTER_PEOPLE)
        and registry_import.agency_id == actor.agency_id
    )


def _held_household(
    actor: "User", registry_import: RegistryImport, row_number: int, done: str
) -> tuple[RegistryImport, ImportRow, list[ImportRow]]:
    """Lock the import and the row; return them with the rows held with it (none if decided).

    Raise PermissionDenied for a role or agency that may not review, ValidationError for an
    import not yet checked, a row it does not have, or a row that is not held.
    """
    if not can_review(actor, registry_import):
        raise PermissionDenied
    if registry_import.status not in REVIEW_STATUSES:
        raise ValidationError({"status": [_("Run the dry run before reviewing its rows.")]})
    job = RegistryImport.objects.select_for_update().get(pk=registry_import.pk)
    row = job.rows.select_for_update().filter(row_number=row_number).first()
    if row is None:
        raise ValidationError({"row": [_("This import has no row %(row)s.") % {"row": row_number}]})
    if row.status == done and row.reviewed_by_id is not None:
        return job, row, []
    if row.status != ImportRowStatus.DUPLICATE:
        raise ValidationError(
            {"row": [_("Row %(row)s is not held for review.") % {"row": row_number}]}
        )
    held = list(
        job.rows.select_for_update()
        .filter(status=ImportRowStatus.DUPLICATE, household_ref=row.household_ref)
        .order_by("row_number")
    )
    return job, row, held


def _audit(actor: "User", job: RegistryImport, rows: list[ImportRow], action: str, to: str) -> None:
    audit_record_rows(
        actor=actor,
        action=action,
        model=ImportRow,
        records=[
            (
                row.pk,
                None,
                {
                    "registry_import": [None, job.pk],
                    "import_row": [None, row.row_number],
                    "status": [ImportRowStatus.DUPLICATE, to],
                },
            )
            for row in rows
        ],
    )


def import_row_release(
    *, actor: "User", registry_import: RegistryImport, row_number: int
) -> ImportRow:
    """Register a held row anyway, with the rows held with it; return the row, imported."""
    check_import_site(actor, registry_import.site)
    with transaction.atomic():
        job, row, held = _held_household(
            actor, registry_import, row_number, ImportRowStatus.IMPORTED
        )
        if not held:
            return row
        pks = [member.pk for member in held]
        job.rows.filter(pk__in=pks).update(
            status=ImportRowStatus.ACCEPTED,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
            review_reason="",
        )
        _audit(actor, job, held, "import_row.release", ImportRowStatus.ACCEPTED)
        staged = [Staged.of(m.pk, m.row_number, m.household_ref, m.staged) for m in held]
        commit_rows(job, staged, actor=actor, today=timezone.localdate())
        RegistryImport.objects.filter(pk=job.pk).update(
            rows_to_import=F("rows_to_import") + len(held)
        )
    row.refresh_from_db()
    return row


def import_row_discard(
    *, actor: "User", registry_import: RegistryImport, row_number: int, reason: str
) -> ImportRow:
    """Discard a held row, with the rows held with it, for `reason`; return the row."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why this row is discarded.")]})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": [_("Write at most %(count)s characters.") % {"count": REASON_MAX_LENGTH}]}
        )
    with transaction.atomic():
        job, row, held = _held_household(
            actor, registry_import, row_number, ImportRowStatus.DISCARDED
        )
        if not held:
            return row
        job.rows.filter(pk__in=[member.pk for member in held]).update(
            status=ImportRowStatus.DISCARDED,
            reviewed_by=actor,
            reviewed_at=timezone.now(),
            review_reason=reason,
        )
        _audit(actor, job, held, "import_row.discard", ImportRowStatus.DISCARDED)
    row.refresh_from_db()
    return row

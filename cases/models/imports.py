"""Bulk imports of households and people from a spreadsheet: the job, its rows, the mappings.

Each row of an uploaded file is kept with its import and row number, which is the row's
idempotency identity: the commit marks a row imported in the same transaction that inserts
its person, so a worker that dies mid-import resumes and never imports a row twice.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: check the columns")
    VALIDATING = "validating", _("Dry run in progress")
    VALIDATED = "validated", _("Dry run done: ready to import")
    IMPORTING = "importing", _("Import in progress")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportRowStatus(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    DUPLICATE = "duplicate", _("Held for review: possible duplicate")
    IMPORTED = "imported", _("Imported")
    DISCARDED = "discarded", _("Discarded after review")


class RegistryImport(models.Model):
    """One uploaded file of households and people, from upload to the last imported row."""

    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="registry_imports",
        verbose_name=_("agency"),
    )
    site = models.ForeignKey(
        "camps.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=200)
    headers = models.JSONField(_("columns of the file"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_to_import = models.PositiveIntegerField(_("rows to import"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    batch_size = models.PositiveIntegerField(_("batch size"), default=2000)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Runs of the current step (dry run or commit) started: a step that keeps failing on a
    # bug stops after MAX_IMPORT_ATTEMPTS instead of being queued again forever.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")
        indexes = [models.Index(fields=["agency", "-id"], name="registry_import_agency_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.pk})"

    @property
    def progress_percent(self) -> int:
        """Return how far the running step is, 0 to 100."""
        if self.status == ImportStatus.DONE:
            return 100
        if self.status in (ImportStatus.VALIDATING, ImportStatus.VALIDATED):
            done, total = self.rows_checked, self.total_rows
        elif self.status == ImportStatus.IMPORTING:
            done, total = self.rows_imported, self.rows_to_import
        else:
            return 0
        return 100 if not total else min(100, done * 100 // total)


class ImportRow(models.Model):
    """One row of an import's file: what it said, what the dry run found, what it became."""

    # Not indexed alone: import_row_once (registry_import, row_number) leads with it.
    registry_import = models.ForeignKey(
        RegistryImport, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    # The row's cells, in the order of the import's headers.
    values = models.JSONField(default=list)
    household_ref = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportRowStatus.choices, default=ImportRowStatus.PENDING
    )
    errors = models.JSONField(default=dict, blank=True)
    duplicates = models.JSONField(default=list, blank=True)
    # What the dry run prepared for the commit (cases.registry.imports.staging); null for a
    # row that cannot be registered.
    staged = models.JSONField(null=True, blank=True)
    person = models.OneToOneField(
        "cases.DisplacedPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The review of a row held as a possible duplicate: who decided, when, and why.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["registry_import", "row_number"], name="import_row_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["registry_import", "status", "household_ref", "row_number"],
                name="import_row_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registry_import_id}:{self.row_number}"


class ImportColumnMapping(models.Model):
    """What an agency's files call a column: remembered for the agency's next import."""

    agency = models.ForeignKey("partners.PartnerAgency", on_delete=models.CASCADE, related_name="+")
    header = models.CharField(max_length=200)
    field_name = models.CharField(max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "header"], name="import_mapping_once"),
        ]

    def __str__(self) -> str:
        return f"{self.header} -> {self.field_name}"

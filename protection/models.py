"""The audit trail: append-only events for every write and a log of every read of a person."""

from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from protection.bounds import RETENTION_PERIOD_MAX


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


_RowT = TypeVar("_RowT", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_RowT]):
    """A queryset that can insert and read, never update or delete."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be deleted.")


class Channel(models.TextChoices):
    WEB = "web", _("Web page")
    API = "api", _("API")
    TASK = "task", _("Background task")
    COMMAND = "command", _("Command line")
    ADMIN = "admin", _("Admin")


class AppendOnlyModel(models.Model):
    """Base for rows that are written once and never changed (also enforced by a DB trigger)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit rows cannot be deleted.")


class ChainedModel(AppendOnlyModel):
    """Base for rows hash-chained to the row before them (protection/audit_chain.py)."""

    seq = models.BigIntegerField(_("chain position"), editable=False)
    prev_hash = models.CharField(_("previous row hash"), max_length=64, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        abstract = True


class AuditEvent(ChainedModel):
    """Who changed what, when, from where: written by the service in the same transaction."""

    # Not auto_now_add: the chain sets the time before it hashes the row, under its lock.
    created_at = models.DateTimeField(
        _("time"), default=timezone.now, editable=False, db_index=True
    )
    # Not indexed alone: audit_actor_time_idx (actor, created_at) leads with it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(
        _("changed fields"), default=dict, blank=True, help_text=_("Field name to [before, after].")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "created_at"], name="audit_object_time_idx"
            ),
            models.Index(fields=["actor", "created_at"], name="audit_actor_time_idx"),
            models.Index(fields=["action", "created_at"], name="audit_action_time_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["seq"], name="audit_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class AccessPurpose(models.TextChoices):
    """Why a record was shown. How it was reached (page or API) is the channel, not a purpose."""

    DETAIL = "detail", _("Opened the record")
    LIST = "list", _("Listed in results")
    SEARCH = "search", _("Found by a search")
    DUPLICATE_CHECK = "duplicate_check", _("Shown as a possible duplicate")
    EXPORT = "export", _("Exported")
    # Why an officer opened a data-subject report (protection/subject_report.py): chosen from
    # SUBJECT_REPORT_PURPOSES each time, never implied.
    SUBJECT_REQUEST = "subject_request", _("Request from the person about their data")
    CORRECTION = "correction", _("Checking a record before correcting it")
    LEGAL = "legal", _("Legal obligation or proceedings")
    DATA_PROTECTION_REVIEW = "dp_review", _("Data-protection review")
    # An individual-level export names its purpose, chosen by the user from this list.
    EXPORT_CASEWORK = "export_casework", _("Exported for case management")
    EXPORT_SERVICES = "export_services", _("Exported for service delivery")
    EXPORT_REFERRALS = "export_referrals", _("Exported to follow up referrals")
    EXPORT_VERIFICATION = "export_verification", _("Exported to verify the records")


# The purposes a user may give for an individual-level export.
EXPORT_PURPOSES = (
    AccessPurpose.EXPORT_CASEWORK,
    AccessPurpose.EXPORT_SERVICES,
    AccessPurpose.EXPORT_REFERRALS,
    AccessPurpose.EXPORT_VERIFICATION,
)


class RecordPart(models.TextChoices):
    """Which part of a record was read; blank when the record was read as a whole."""

    WHOLE = "", _("Whole record")
    NOTES = "notes", _("Notes")
    ASSESSMENTS = "assessments", _("Assessments")
    ACTIONS = "actions", _("Case plan actions")
    FOLLOW_UPS = "follow_ups", _("Follow-ups")
    TIMELINE = "timeline", _("Timeline")
    PHOTO = "photo", _("Photo")
    SUBJECT_REPORT = "subject_report", _("Data-subject report (page)")
    SUBJECT_REPORT_PDF = "subject_report_pdf", _("Data-subject report (PDF)")
    SUBJECT_REPORT_JSON = "subject_report_json", _("Data-subject report (JSON)")


class AccessLog(ChainedModel):
    """One read of one record (person, household, case, referral, incident) by one user.

    A case's notes, assessments, actions, follow-ups and timeline are filed under the case, with
    the part read, so that "who read this case's notes" is one indexed lookup on the case.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    object_type = models.CharField(_("record type"), max_length=80)
    object_id = models.CharField(_("record id"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=20, choices=AccessPurpose.choices)
    part = models.CharField(
        _("part read"), max_length=20, choices=RecordPart.choices, blank=True, default=""
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("client IP"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("record access")
        verbose_name_plural = _("record access log")
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "created_at"], name="access_object_time_idx"
            ),
            models.Index(fields=["user", "created_at"], name="access_user_time_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["seq"], name="access_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.object_type}:{self.object_id}"


class IdempotencyKey(models.Model):
    """A write a user asked for under a key, and where its result is: so that a retry with the
    same key (an API Idempotency-Key, a page form's one-time token) writes nothing again.

    Neither the key nor the request is kept: the key as its SHA-256, the request (method, path
    and body, which holds personal data) as a keyed hash that only tells "same request or
    not". The answer is not kept either: a retry reads the record again through the caller's
    access policy (protection/idempotency.py says why).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key_digest = models.CharField(_("key (SHA-256)"), max_length=64)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status of the first answer"))
    object_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    location = models.CharField(_("record page"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "key_digest"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key_digest[:12]}"


class RetentionUnit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonymise")
    DELETE = "delete", _("Delete")


class RetentionRule(models.Model):
    """How long one kind of record is kept and what then happens to it (protection/retention.py).

    One row per kind the apps register; created from settings.RETENTION_DEFAULTS on first use
    and edited in the admin afterwards.
    """

    kind = models.CharField(_("kind of record"), max_length=40, unique=True)
    period = models.PositiveIntegerField(
        _("kept for"), validators=[MinValueValidator(1), MaxValueValidator(RETENTION_PERIOD_MAX)]
    )
    unit = models.CharField(_("unit"), max_length=10, choices=RetentionUnit.choices)
    action = models.CharField(_("then"), max_length=10, choices=RetentionAction.choices)
    enabled = models.BooleanField(
        _("applied"), default=True, help_text=_("Unticked: the beat task leaves this kind alone.")
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [
            models.CheckConstraint(condition=models.Q(period__gte=1), name="retention_period_set")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.period} {self.unit}"


class ChainPrune(AppendOnlyModel):
    """Where a hash chain starts after retention deleted its oldest rows.

    Its rows up to `up_to_seq` are gone; the first row kept links to `up_to_hash`, so
    audit_verify starts from here. The database lets a row of the access log be deleted only
    when a prune covers its seq (migration protection 0008), and the audit trail, which is
    never pruned, records each prune.
    """

    chain = models.CharField(_("chain"), max_length=20)
    up_to_seq = models.BigIntegerField(_("removed up to seq"))
    up_to_hash = models.CharField(_("hash of the last row removed"), max_length=64)
    before = models.DateTimeField(_("rows older than"))
    rows = models.BigIntegerField(_("rows removed"))
    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-up_to_seq"]
        verbose_name = _("chain prune")
        verbose_name_plural = _("chain prunes")
        indexes = [models.Index(fields=["chain", "-up_to_seq"], name="chainprune_chain_seq_idx")]

    def __str__(self) -> str:
        return f"{self.chain} up to {self.up_to_seq}"


class ExportLevel(models.TextChoices):
    AGGREGATED = "aggregated", _("Figures (counts, small counts hidden)")
    INDIVIDUAL = "individual", _("One row per record")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being written")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


class DataExport(models.Model):
    """An export written in the background: its progress, and its file until it expires.

    The filters are kept only so that the worker can run the export; they are cleared when
    the file is deleted. The audit trail and the access log record the export itself.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    dataset = models.CharField(_("list"), max_length=40)
    level = models.CharField(_("level"), max_length=12, choices=ExportLevel.choices)
    file_format = models.CharField(_("format"), max_length=8)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=AccessPurpose.choices, blank=True
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows to write"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # The running worker's lease, renewed with each chunk written: a worker that died leaves
    # it to lapse, and the sweep queues the export again (protection.exports).
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        indexes = [
            models.Index(fields=["user", "-id"], name="export_user_idx"),
            models.Index(fields=["status", "expires_at"], name="export_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.file_format}) #{self.pk}"

    @property
    def percent(self) -> int:
        """Return how far the export is, 0 to 100."""
        if self.status == ExportStatus.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

"""Protection incidents as reported, their reference lists, and who may see GBV details.

An incident is reported once, with what is known: a type from the reference taxonomy, how
serious it is, when and where it happened, who was harmed (linked registered people and/or
counts), by whom, and how the reporter knows. The escalation policies that decide whom to tell
are incidents.models.policies; the alerts they raise, incidents.models.alerts.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from protection.crypto.fields import EncryptedTextField
from protection.reference import ReferenceItem

if TYPE_CHECKING:
    from cases.models import DisplacedPerson


class IncidentTaxonomy(models.TextChoices):
    GBV = "gbv", _("Gender-based violence (GBVIMS)")
    GRAVE_VIOLATION = "grave_violation", _("Grave violation against children (MRM)")
    GENERAL = "general", _("General protection incident")


class IncidentType(ReferenceItem):
    """A type of incident from the GBVIMS, MRM or general protection taxonomies."""

    taxonomy = models.CharField(_("taxonomy"), max_length=20, choices=IncidentTaxonomy.choices)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_(
            "Identifying details are shown only to GBV-designated staff of the reporting agency."
        ),
    )
    child_protection = models.BooleanField(
        _("always a child protection concern"),
        default=False,
        help_text=_("Incidents of this type are flagged for child protection whoever the victim."),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("incident type")
        verbose_name_plural = _("incident types")


class PerpetratorCategory(ReferenceItem):
    """Who committed the incident, by category only: never a named person."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("perpetrator category")
        verbose_name_plural = _("perpetrator categories")


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MODERATE = 2, _("Moderate")
    SERIOUS = 3, _("Serious")
    CRITICAL = 4, _("Critical")


class DatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date and time")
    DAY = "day", _("Day known, time unknown")
    MONTH = "month", _("Month known, day unknown")


class InformationSource(models.TextChoices):
    SURVIVOR = "survivor", _("Survivor or victim")
    WITNESS = "witness", _("Witness")
    DIRECT_OBSERVATION = "direct_observation", _("Direct observation by staff")
    COMMUNITY_LEADER = "community_leader", _("Community leader")
    PARTNER = "partner", _("Partner organisation")
    MEDIA = "media", _("Media")
    COMMUNITY_LINE = "community_line", _("Community reporting line")


class Verification(models.TextChoices):
    REPORTED = "reported", _("Reported (unverified)")
    VERIFIED = "verified", _("Verified")
    DISCREDITED = "discredited", _("Discredited")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESPONDING = "responding", _("Responding")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    """One event of violence or abuse, as reported by one agency."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    incident_type = models.ForeignKey(
        IncidentType, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("type")
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    occurred_at = models.DateTimeField(
        _("occurred at"),
        help_text=_("With day or month precision, the start of that day or month."),
    )
    occurred_precision = models.CharField(
        _("date precision"),
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.EXACT,
    )
    reported_at = models.DateTimeField(_("reported at"))
    site = models.ForeignKey(
        "camps.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("site"),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    admin1 = models.CharField(_("admin level 1"), max_length=120, blank=True)
    admin2 = models.CharField(_("admin level 2"), max_length=120, blank=True)
    location_detail = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("E.g. near the water point, block C.")
    )
    safe_zone = models.ForeignKey(
        "incidents.SafeZone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("inside safe zone"),
        help_text=_("Set from the place when reported: an attack inside a safe zone."),
    )
    victims: "models.ManyToManyField[DisplacedPerson, IncidentVictim]" = models.ManyToManyField(
        "cases.DisplacedPerson",
        through="IncidentVictim",
        related_name="incidents",
        blank=True,
        verbose_name=_("identified victims"),
    )
    female_children = models.PositiveIntegerField(_("girls"), default=0)
    male_children = models.PositiveIntegerField(_("boys"), default=0)
    female_adults = models.PositiveIntegerField(_("women"), default=0)
    male_adults = models.PositiveIntegerField(_("men"), default=0)
    sex_or_age_unknown = models.PositiveIntegerField(_("sex or age unknown"), default=0)
    perpetrator_category = models.ForeignKey(
        PerpetratorCategory,
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("perpetrator category"),
    )
    source = models.CharField(
        _("source of information"), max_length=20, choices=InformationSource.choices
    )
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.REPORTED,
    )
    description = EncryptedTextField(_("description"))
    actions_taken = EncryptedTextField(_("actions taken"), blank=True)
    linked_case = models.ForeignKey(
        "cases.ProtectionCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("linked case"),
    )
    involves_children = models.BooleanField(
        _("involves children"),
        default=False,
        help_text=_("Set from the type and the victims; flags the incident for child protection."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reporting_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("reporting agency"),
    )
    event = models.ForeignKey(
        "incidents.IncidentEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("event"),
        help_text=_("Set when reports of the same event are linked (incidents.events)."),
    )
    # A drill's simulated incident; the access policy's incident scope leaves these out.
    drill = models.ForeignKey(
        "incidents.Drill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("drill"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(severity__gte=1, severity__lte=4), name="incident_severity_1_4"
            ),
            models.CheckConstraint(
                condition=models.Q(site__isnull=False)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="incident_has_place",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
                ),
                name="incident_coordinates_range",
            ),
        ]
        # Each list filter narrows by one column and pages by id (keyset, newest first).
        indexes = [
            models.Index(fields=["site", "-id"], name="incident_site_idx"),
            models.Index(fields=["reporting_agency", "-id"], name="incident_agency_idx"),
            models.Index(fields=["incident_type", "-id"], name="incident_type_idx"),
            models.Index(fields=["severity", "-id"], name="incident_severity_idx"),
            models.Index(fields=["verification", "-id"], name="incident_verification_idx"),
            models.Index(fields=["status", "-id"], name="incident_status_idx"),
            models.Index(fields=["occurred_at"], name="incident_occurred_idx"),
            # Early warning counts a site's incidents over time windows.
            models.Index(fields=["site", "occurred_at"], name="incident_site_occurred_idx"),
            # Same-event suggestions read one occurred_at range per date precision.
            models.Index(
                fields=["occurred_precision", "occurred_at"],
                name="incident_precision_when_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.pk])

    @property
    def victim_count(self) -> int:
        """Return how many victims the incident counts, identified or not."""
        return (
            self.female_children
            + self.male_children
            + self.female_adults
            + self.male_adults
            + self.sex_or_age_unknown
        )


class IncidentVictim(models.Model):
    """A registered person recorded as a victim of an incident."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="victim_links")
    person = models.ForeignKey(
        "cases.DisplacedPerson", on_delete=models.PROTECT, related_name="incident_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identified victim")
        verbose_name_plural = _("identified victims")
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="incident_victim_once"),
        ]
        indexes = [models.Index(fields=["person", "incident"], name="victim_person_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.person_id}"


class GbvDesignation(models.Model):
    """An admin's designation of a user to see the identifying details of GBV incidents."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="gbv_designation",
        verbose_name=_("user"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("GBV designation")
        verbose_name_plural = _("GBV designations")

    def __str__(self) -> str:
        return str(self.user)

"""Partner agencies, the sectors they work in, their services, and data-sharing agreements."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from protection.reference import ReferenceItem


class Sector(ReferenceItem):
    """A humanitarian sector (health, GBV response, legal aid, ...); an admin-edited list."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class AgencyType(models.TextChoices):
    UN_AGENCY = "un_agency", _("UN agency")
    MISSION = "mission", _("Peacekeeping mission component")
    INTERNATIONAL_NGO = "ingo", _("International NGO")
    NATIONAL_NGO = "nngo", _("National NGO")
    GOVERNMENT = "government", _("Government")
    CBO = "cbo", _("Community-based organisation")


class PartnerAgency(models.Model):
    """An organisation taking part in the response; every user belongs to exactly one."""

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=30)
    agency_type = models.CharField(_("type"), max_length=20, choices=AgencyType.choices)
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="agencies", verbose_name=_("sectors")
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner agency")
        verbose_name_plural = _("partner agencies")
        constraints = [
            models.UniqueConstraint(Lower("acronym"), name="partner_agency_acronym_unique_ci"),
            models.UniqueConstraint(Lower("name"), name="partner_agency_name_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.acronym or self.name


class Service(models.Model):
    """A service an agency offers, listed in the referral directory that every agency reads."""

    agency = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, related_name="services", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="services", verbose_name=_("sector")
    )
    description = models.TextField(_("description"), blank=True)
    sites = models.ManyToManyField(
        "camps.Site",
        related_name="services",
        blank=True,
        verbose_name=_("sites served"),
        help_text=_("Leave empty if the service reaches people wherever they live."),
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    accepting_referrals = models.BooleanField(_("accepting referrals"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["sector__sort_order", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                "agency", Lower("name"), name="service_name_unique_per_agency_ci"
            ),
        ]
        indexes = [
            models.Index(fields=["sector", "accepting_referrals"], name="service_sector_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class SharingPurpose(models.TextChoices):
    REFERRAL = "referral", _("Referral to a service")
    CASE_TRANSFER = "case_transfer", _("Transfer of a case")
    INCIDENT_REPORTING = "incident_reporting", _("Incident reporting")
    STATISTICS = "statistics", _("Aggregated statistics")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity (name, registration number, date of birth)")
    DEMOGRAPHICS = "demographics", _("Demographics (sex, age, nationality, languages)")
    CONTACT = "contact", _("Contact details and location")
    PROTECTION_NEEDS = "protection_needs", _("Specific needs and displacement status")
    CASE_INFORMATION = "case_information", _("Case information (type, risk, safety concerns)")


class DataSharingAgreement(models.Model):
    """An agreement between two agencies to share personal data, for purposes, within dates.

    It covers both directions: either agency may share with the other what it allows.
    """

    agency_one = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    agency_two = models.ForeignKey(
        PartnerAgency, on_delete=models.PROTECT, related_name="+", verbose_name=_("other agency")
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The signed document's number.")
    )
    # Short lists of SharingPurpose / DataCategory codes, validated by the services; JSON rather
    # than an array so that the embedded SQLite default can hold them too.
    purposes = models.JSONField(
        default=list,
        verbose_name=_("purposes"),
        help_text=_("What the shared data may be used for."),
    )
    data_categories = models.JSONField(
        default=list,
        verbose_name=_("data categories"),
        help_text=_("Which kinds of personal data may be shared."),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Clear to suspend the agreement at once.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_to", "-id"]
        verbose_name = _("data-sharing agreement")
        verbose_name_plural = _("data-sharing agreements")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(agency_one=models.F("agency_two")),
                name="agreement_two_different_agencies",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="agreement_valid_to_after_from",
            ),
        ]
        indexes = [
            models.Index(
                fields=["agency_one", "agency_two", "valid_to"], name="agreement_pair_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_one} / {self.agency_two} ({self.valid_from} - {self.valid_to})"

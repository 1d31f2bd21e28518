"""Partner agencies and the sectors they work in."""

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

"""Sites (camps, collective centres, PoC sites, host areas) and the lists that describe them."""

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from protection.reference import ReferenceItem


class Country(ReferenceItem):
    """A country by its ISO 3166-1 alpha-3 code (the code field)."""

    alpha2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)

    stable_fields = ("code", "alpha2")

    class Meta(ReferenceItem.Meta):
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class SiteType(ReferenceItem):
    """Planned camp, self-settled camp, collective centre, PoC site, ..."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("site type")
        verbose_name_plural = _("site types")


class SiteStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Site(models.Model):
    """A place where displaced people live, managed by one agency, served by several."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("A short stable code, e.g. KAK-01.")
    )
    site_type = models.ForeignKey(
        SiteType, on_delete=models.PROTECT, related_name="sites", verbose_name=_("type")
    )
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="sites", verbose_name=_("country")
    )
    admin1 = models.CharField(_("admin level 1"), max_length=120, blank=True)
    admin2 = models.CharField(_("admin level 2"), max_length=120, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    status = models.CharField(
        _("status"), max_length=10, choices=SiteStatus.choices, default=SiteStatus.OPEN
    )
    managing_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="managed_sites",
        verbose_name=_("managing agency"),
    )
    operating_agencies = models.ManyToManyField(
        "partners.PartnerAgency",
        related_name="operating_sites",
        blank=True,
        verbose_name=_("operating agencies"),
        help_text=_("Agencies that work in this site; their staff see its records."),
    )
    opened_on = models.DateField(_("opening date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(Lower("code"), name="site_code_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("camps:detail", args=[self.pk])


class PopulationSnapshot(models.Model):
    """A site's registered population on one day, kept for trends; taken by a beat task."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("site")
    )
    taken_on = models.DateField(_("date"))
    individuals = models.PositiveIntegerField(_("individuals"))
    households = models.PositiveIntegerField(_("households"))
    breakdown = models.JSONField(_("by sex and age group"), default=dict)
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)

    class Meta:
        ordering = ["site", "-taken_on"]
        verbose_name = _("population snapshot")
        verbose_name_plural = _("population snapshots")
        constraints = [
            models.UniqueConstraint(fields=["site", "taken_on"], name="one_snapshot_per_site_day"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.taken_on}: {self.individuals}"


class SiteHeadcount(models.Model):
    """A site's active people and the households with at least one of them, kept up to date.

    The registry's services change these counts in the transaction that registers, moves or
    changes the status of people (camps.headcount), so the site list reads one row per site
    instead of counting the registry; a beat task recounts from scratch and corrects drift.
    """

    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="headcount",
        verbose_name=_("site"),
    )
    individuals = models.BigIntegerField(_("active people"), default=0)
    households = models.BigIntegerField(_("households with active people"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    recounted_at = models.DateTimeField(_("last recounted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("site headcount")
        verbose_name_plural = _("site headcounts")

    def __str__(self) -> str:
        return f"{self.site_id}: {self.individuals} / {self.households}"


class SiteBirthMonthCount(models.Model):
    """A site's active people of one sex born in one month, kept up to date.

    The registry's services add the difference in the transaction that registers, edits,
    moves or changes the status of people (camps.birth_months); the recount task corrects
    drift. A site's breakdown by age group reads these rows (a few thousand at most, whatever
    the number of people), and only the months an age boundary falls in today from the people.
    """

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="birth_month_counts",
        verbose_name=_("site"),
    )
    sex = models.CharField(_("sex"), max_length=10)
    born_in = models.DateField(_("month of birth"))
    people = models.BigIntegerField(_("active people"), default=0)

    class Meta:
        verbose_name = _("site count by sex and month of birth")
        verbose_name_plural = _("site counts by sex and month of birth")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "sex", "born_in"], name="one_count_per_site_sex_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.sex} {self.born_in:%Y-%m}: {self.people}"

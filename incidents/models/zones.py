"""Safe zones (an area drawn around a site) and humanitarian corridors (a route between places).

Both belong to a site, and are seen by the agencies working there (`access.sites_for`). The
geometry is GeoJSON, validated by incidents.zones.geometry before it is stored; a bounding box
kept beside it lets the database narrow which zones a point may fall in. A corridor's status is
changed only by its service, which keeps one history row per decision and tells the agencies
that subscribed to the corridor.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from camps.models import Site


class _Bounded(models.Model):
    """The bounding box of a geometry, in degrees, for the database to narrow candidates."""

    min_latitude = models.FloatField(_("southern edge"), editable=False)
    max_latitude = models.FloatField(_("northern edge"), editable=False)
    min_longitude = models.FloatField(_("western edge"), editable=False)
    max_longitude = models.FloatField(_("eastern edge"), editable=False)

    class Meta:
        abstract = True


class SafeZone(_Bounded):
    """An area around or within a site where people are to be protected from attack."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="safe_zones", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=200)
    boundary = models.JSONField(
        _("boundary"), help_text=_("A GeoJSON Polygon or MultiPolygon (longitude, latitude).")
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("safe zone")
        verbose_name_plural = _("safe zones")
        indexes = [
            models.Index(fields=["site", "name"], name="safe_zone_site_idx"),
            models.Index(
                fields=["min_latitude", "max_latitude", "min_longitude", "max_longitude"],
                condition=models.Q(active=True),
                name="safe_zone_box_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("incidents:safe_zone_detail", args=[self.pk])


class CorridorStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESTRICTED = "restricted", _("Restricted")
    CLOSED = "closed", _("Closed")


class Corridor(_Bounded):
    """A humanitarian corridor: a route from a site to another place, open, restricted or closed."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="corridors", verbose_name=_("from site")
    )
    destination_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corridors_arriving",
        verbose_name=_("to site"),
    )
    destination_name = models.CharField(
        _("to place"), max_length=200, blank=True, help_text=_("When the route ends elsewhere.")
    )
    route = models.JSONField(_("route"), help_text=_("A GeoJSON LineString (longitude, latitude)."))
    status = models.CharField(
        _("status"), max_length=12, choices=CorridorStatus.choices, default=CorridorStatus.OPEN
    )
    status_changed_at = models.DateTimeField(_("status since"))
    status_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")
        indexes = [
            models.Index(fields=["site", "name"], name="corridor_site_idx"),
            models.Index(fields=["destination_site"], name="corridor_destination_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:corridor_detail", args=[self.pk])


class CorridorStatusChange(models.Model):
    """One decision on a corridor's status: what, why, who, when. Never changed afterwards."""

    corridor = models.ForeignKey(
        Corridor, on_delete=models.PROTECT, related_name="history", verbose_name=_("corridor")
    )
    status = models.CharField(_("status"), max_length=12, choices=CorridorStatus.choices)
    previous_status = models.CharField(
        _("previous status"), max_length=12, choices=CorridorStatus.choices, blank=True
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("corridor status change")
        verbose_name_plural = _("corridor status changes")
        indexes = [models.Index(fields=["corridor", "-id"], name="corridor_history_idx")]

    def __str__(self) -> str:
        return f"{self.corridor_id}: {self.status}"


class CorridorSubscription(models.Model):
    """An agency's request to be told, in the app and by e-mail, when a corridor's status changes.

    Its supervisors, protection officers and administrators are told; partner systems subscribe
    to the `corridor.status_changed` webhook event instead.
    """

    corridor = models.ForeignKey(
        Corridor,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("corridor"),
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.CASCADE,
        related_name="corridor_subscriptions",
        verbose_name=_("agency"),
    )
    notify_in_app = models.BooleanField(_("in the app"), default=True)
    notify_email = models.BooleanField(_("by e-mail"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("corridor subscription")
        verbose_name_plural = _("corridor subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["corridor", "agency"], name="corridor_subscription_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corridor_id}: {self.agency_id}"

"""What the sites API shows and accepts: reference lists by code, agencies by id."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.census import Population
from camps.models import Country, Site, SiteStatus, SiteType
from partners.models import PartnerAgency
from protection import bounds
from protection.serializers import AgencySummarySerializer


def _population(site: Site) -> int:
    """Return the active population site_list annotated (or the detail view set)."""
    return int(getattr(site, "population", 0))


class SiteSerializer(serializers.ModelSerializer[Site]):
    """A site with its active population against its capacity."""

    site_type: serializers.SlugRelatedField[SiteType] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("ISO 3166-1 alpha-3 code.")
    )
    status = serializers.ChoiceField(choices=SiteStatus.choices, read_only=True)
    managing_agency = AgencySummarySerializer(read_only=True)
    operating_agencies: serializers.PrimaryKeyRelatedField[PartnerAgency] = (
        serializers.PrimaryKeyRelatedField(
            many=True, read_only=True, help_text=_("Ids of the agencies that work in the site.")
        )
    )
    population = serializers.IntegerField(
        read_only=True, help_text=_("Active registered people whose site this is.")
    )
    over_capacity = serializers.SerializerMethodField()
    occupancy_percent = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = [
            "id",
            "code",
            "name",
            "site_type",
            "country",
            "admin1",
            "admin2",
            "latitude",
            "longitude",
            "capacity",
            "status",
            "managing_agency",
            "operating_agencies",
            "opened_on",
            "population",
            "over_capacity",
            "occupancy_percent",
            "created_at",
        ]
        read_only_fields = fields

    def get_over_capacity(self, site: Site) -> bool:
        """Return whether more people live in the site than it was built for."""
        return _population(site) > site.capacity

    def get_occupancy_percent(self, site: Site) -> int:
        """Return the population as a percentage of the capacity."""
        return round(100 * _population(site) / site.capacity) if site.capacity else 0


class AgeGroupSerializer(serializers.Serializer[dict[str, Any]]):
    """Active people of one age group, by sex."""

    key = serializers.CharField(help_text=_("Age group: 0_4, 5_11, 12_17, 18_59 or 60_plus."))
    # A field named like Field.label: the serializer metaclass takes it out of the class.
    label = serializers.CharField()  # type: ignore[assignment]
    female = serializers.IntegerField()
    male = serializers.IntegerField()
    unknown = serializers.IntegerField()
    total = serializers.IntegerField()


class PopulationSerializer(serializers.Serializer[Population]):
    """A site's active population by sex and age group."""

    individuals = serializers.IntegerField()
    households = serializers.IntegerField(
        help_text=_("Households with at least one active member.")
    )
    capacity = serializers.IntegerField()
    over_capacity = serializers.BooleanField()
    occupancy_percent = serializers.IntegerField()
    age_groups = serializers.SerializerMethodField()

    @extend_schema_field(AgeGroupSerializer(many=True))
    def get_age_groups(self, population: Population) -> list[dict[str, Any]]:
        """Return one row per age group, youngest first."""
        rows = [
            {
                "key": row["key"],
                "label": str(row["label"]),
                "female": row.get("female", 0),
                "male": row.get("male", 0),
                "unknown": row.get("unknown", 0),
                "total": row["total"],
            }
            for row in population.rows()
        ]
        # The stubs do not accept a list with many=True on a plain Serializer.
        return list(AgeGroupSerializer(rows, many=True).data)  # type: ignore[arg-type]


class SiteDetailSerializer(SiteSerializer):
    """A site with the breakdown of its population."""

    population_breakdown = serializers.SerializerMethodField()

    class Meta(SiteSerializer.Meta):
        fields = [*SiteSerializer.Meta.fields, "population_breakdown"]
        read_only_fields = fields

    @extend_schema_field(PopulationSerializer)
    def get_population_breakdown(self, site: Site) -> dict[str, Any]:
        """Return the population the view computed for this site."""
        population: Population = self.context["population"]
        return dict(PopulationSerializer(population).data)


class SiteWriteSerializer(serializers.Serializer[None]):
    """What a site's managing agency records about it."""

    name = serializers.CharField(max_length=200)
    code = serializers.CharField(
        max_length=20, help_text=_("A short stable code, unique whatever its case, e.g. KAK-01.")
    )
    site_type = serializers.SlugRelatedField(
        slug_field="code", queryset=SiteType.objects.all(), help_text=_("Site type code.")
    )
    country = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Country.objects.all(),
        help_text=_("ISO 3166-1 alpha-3 code, e.g. SSD."),
    )
    admin1 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    admin2 = serializers.CharField(max_length=120, required=False, allow_blank=True)
    latitude = bounds.latitude_field(required=False, allow_null=True)
    longitude = bounds.longitude_field(required=False, allow_null=True)
    capacity = serializers.IntegerField(
        min_value=0,
        max_value=bounds.SITE_CAPACITY_MAX,
        help_text=_("How many people the site can hold."),
    )
    status = serializers.ChoiceField(choices=SiteStatus.choices, required=False)
    opened_on = serializers.DateField(required=False, allow_null=True)
    operating_agencies = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=PartnerAgency.objects.filter(active=True),
        help_text=_("Ids of active agencies that work in the site; their staff see its records."),
    )

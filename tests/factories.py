"""Factories for tests: agencies, users and sites directly, people through the services."""

import datetime
from typing import Any

import factory
from django.utils import timezone

from camps.models import Country, Site, SiteType
from cases.models import DisplacementStatus, SpecificNeed
from cases.registry.records import HouseholdRegistration, PersonData
from cases.registry.services import household_register
from partners.models import PartnerAgency
from protection.accounts.models import User

PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency

    name = factory.Sequence(lambda n: f"Agency {n}")
    acronym = factory.Sequence(lambda n: f"AG{n}")
    agency_type = "ingo"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    role = "protection_officer"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"S-{n:03d}")
    site_type = factory.LazyFunction(lambda: SiteType.objects.get(code="planned_camp"))
    country = factory.LazyFunction(lambda: Country.objects.get(code="SSD"))
    admin1 = "Upper Nile"
    admin2 = "Malakal"
    latitude = factory.LazyFunction(lambda: __import__("decimal").Decimal("9.533300"))
    longitude = factory.LazyFunction(lambda: __import__("decimal").Decimal("31.650000"))
    capacity = 1000
    managing_agency = factory.SubFactory(AgencyFactory)
    opened_on = datetime.date(2024, 1, 15)


def person_data(**overrides: Any) -> PersonData:
    """Return valid data for one adult head of household; override any field."""
    values: dict[str, Any] = {
        "given_name": "Amina",
        "family_name": "Mohammed",
        "sex": "female",
        "relationship_to_head": "head",
        "displacement_status": DisplacementStatus.objects.get(code="IDP"),
        "consent_date": timezone.localdate() - datetime.timedelta(days=29),
        "consent_given_by": "person",
        "consent_scope": "registration",
        "date_of_birth": datetime.date(1990, 5, 17),
        "nationality": Country.objects.get(code="SSD"),
    }
    values.update(overrides)
    if "specific_needs" in values:
        values["specific_needs"] = list(
            SpecificNeed.objects.filter(code__in=values["specific_needs"]).select_related(
                "category"
            )
        )
    return PersonData(**values)


def register_household(
    *, actor: Any, site: Site, members: list[dict[str, Any]] | None = None, **kwargs: Any
) -> HouseholdRegistration:
    """Register a household through the service, as an officer would."""
    datas = [person_data(**m) for m in (members or [{}])]
    return household_register(actor=actor, site=site, members=datas, **kwargs)

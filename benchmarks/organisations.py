"""The organisations a generated registry belongs to: agencies, officers, sites, services.

They are few and made by the ORM; the rows of millions (benchmarks/generate.py) refer to them
by the ids that `Context.as_plan` writes into the run's plan, so that a resumed run refers to
the same ones without making them again.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from benchmarks import names
from benchmarks.registry_rows import NATIONALITIES, STATUSES
from camps.models import Country, Site, SiteType
from cases.models import DisplacementStatus, SpecificNeed
from incidents.models import (
    EscalationPolicy,
    EscalationTier,
    IncidentType,
    PerpetratorCategory,
    RecipientKind,
    TierRecipient,
)
from partners.models import PartnerAgency, Sector, Service
from protection.accounts.models import Role, User

AGENCIES = [
    ("UNHCR", "UN Refugee Agency", "un_agency", 5),
    ("MPU", "Mission Protection Unit", "mission", 2),
    ("IOM", "International Organization for Migration", "un_agency", 3),
    ("NRC", "Norwegian Refugee Council", "ingo", 2),
    ("INTERSOS", "Intersos", "ingo", 1),
    ("HDO", "Hope Development Organisation", "nngo", 1),
]
SERIOUS_POLICY = "Serious incidents (generated)"


@dataclass
class Context:
    """Rows the generator refers to: agencies, their officers, sites, reference ids."""

    agencies: list[PartnerAgency]
    officers: dict[int, User]
    sites: list[Site]
    site_weights: list[float]
    nationalities: list[int]
    statuses: list[int]
    adult_needs: list[int]
    child_needs: list[int]
    operators: dict[int, list[int]] = field(default_factory=dict)

    def as_plan(self) -> dict[str, Any]:
        """Return the ids the rows refer to, as JSON for the run's plan."""
        types = IncidentType.objects.order_by("pk").values_list(
            "pk", "taxonomy", "child_protection"
        )
        policy = EscalationPolicy.objects.filter(name=SERIOUS_POLICY).first()
        return {
            "agencies": [a.pk for a in self.agencies],
            "officers": {str(k): v.pk for k, v in self.officers.items()},
            "sites": [s.pk for s in self.sites],
            "site_codes": [s.code for s in self.sites],
            "site_weights": self.site_weights,
            "operators": [self.operators[s.pk] for s in self.sites],
            "nationalities": self.nationalities,
            "statuses": self.statuses,
            "adult_needs": self.adult_needs,
            "child_needs": self.child_needs,
            "incident_types": [list(t) for t in types],
            "perpetrators": list(
                PerpetratorCategory.objects.order_by("pk").values_list("pk", flat=True)
            ),
            "services": [
                list(s)
                for s in Service.objects.filter(agency__in=self.agencies)
                .order_by("pk")
                .values_list("pk", "agency_id")
            ],
            "policy": policy.pk if policy else None,
        }


def _services_and_policy(agencies: list[PartnerAgency], rng: random.Random) -> None:
    """Give each agency two services in the referral directory; add the alert policy."""
    sectors = list(Sector.objects.order_by("pk"))
    for agency in agencies:
        for sector in rng.sample(sectors, k=min(2, len(sectors))):
            Service.objects.create(
                agency=agency, name=f"{sector.name} ({agency.acronym})", sector=sector
            )
    policy = EscalationPolicy.objects.create(name=SERIOUS_POLICY, minimum_severity=3)
    tier = EscalationTier.objects.create(policy=policy, level=1, notify_email=False)
    TierRecipient.objects.create(tier=tier, kind=RecipientKind.AGENCY, agency=agencies[0])


def create_organisations(*, sites: int, rng: random.Random) -> Context:
    """Create the agencies, one officer and one admin per agency, a superuser, and the sites."""
    agencies = []
    officers = {}
    for acronym, name, agency_type, _weight in AGENCIES:
        agency = PartnerAgency.objects.create(name=name, acronym=acronym, agency_type=agency_type)
        agencies.append(agency)
        officer = User(
            username=f"{acronym.lower()}_officer", agency=agency, role=Role.PROTECTION_OFFICER
        )
        officer.set_unusable_password()
        officer.save()
        officers[agency.pk] = officer
        User.objects.create(
            username=f"{acronym.lower()}_admin", agency=agency, role=Role.ADMIN, is_staff=True
        )
    User.objects.create_superuser(username="bench_root", email="", password=None)

    site_types = list(SiteType.objects.values_list("pk", flat=True))
    south_sudan = Country.objects.get(code="SSD")
    weights = [a[3] for a in AGENCIES]
    created, site_weights, operators = [], [], {}
    for number in range(sites):
        manager = rng.choices(agencies, weights)[0]
        site = Site.objects.create(
            name=f"{rng.choice(names.PLACES)} {number + 1}",
            code=f"BEN-{number + 1:03d}",
            site_type_id=rng.choice(site_types),
            country=south_sudan,
            admin1="Upper Nile",
            capacity=rng.randrange(2_000, 60_000),
            managing_agency=manager,
        )
        helpers = rng.sample([a for a in agencies if a.pk != manager.pk], k=rng.randint(0, 2))
        site.operating_agencies.set(helpers)
        operators[site.pk] = [manager.pk] * 4 + [a.pk for a in helpers]
        created.append(site)
        site_weights.append(rng.lognormvariate(0, 0.8))
    _services_and_policy(agencies, rng)

    by_code = dict(Country.objects.values_list("code", "pk"))
    statuses = dict(DisplacementStatus.objects.values_list("code", "pk"))
    needs = list(SpecificNeed.objects.select_related("category"))
    return Context(
        agencies=agencies,
        officers=officers,
        sites=created,
        site_weights=site_weights,
        nationalities=[by_code[code] for code in NATIONALITIES[0]],
        statuses=[statuses[code] for code in STATUSES[0]],
        adult_needs=[n.pk for n in needs if n.category.code not in ("CR", "SC")],
        child_needs=[n.pk for n in needs if n.category.code in ("CR", "SC")],
        operators=operators,
    )


def context_from_database() -> Context:
    """Return the context of a registry generated earlier (its plan is gone once complete)."""
    agencies = list(PartnerAgency.objects.filter(acronym__in=[a[0] for a in AGENCIES]))
    officers = {
        user.agency_id: user
        for user in User.objects.filter(username__endswith="_officer", agency__in=agencies)
        if user.agency_id is not None
    }
    sites = list(Site.objects.filter(code__startswith="BEN-").order_by("pk"))
    by_code = dict(Country.objects.values_list("code", "pk"))
    statuses = dict(DisplacementStatus.objects.values_list("code", "pk"))
    needs = list(SpecificNeed.objects.select_related("category"))
    return Context(
        agencies=agencies,
        officers=officers,
        sites=sites,
        site_weights=[1.0] * len(sites),
        nationalities=[by_code[code] for code in NATIONALITIES[0]],
        statuses=[statuses[code] for code in STATUSES[0]],
        adult_needs=[n.pk for n in needs if n.category.code not in ("CR", "SC")],
        child_needs=[n.pk for n in needs if n.category.code in ("CR", "SC")],
        operators={s.pk: [s.managing_agency_id] for s in sites if s.managing_agency_id},
    )

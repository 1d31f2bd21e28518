"""The demo's referral directory, agreements, escalation policies and GBV designations.

Each agency lists two or three services in the sites where it works. The mission holds a
data-sharing agreement with each of the other two agencies; UNDRO and RRN have none, so that a
referral between them is refused. Three mission-wide escalation policies route the alerts, and
each agency's administrator keeps one of its own (critical incidents at the agency's sites, told
to its supervisors and administrators), so that an agency admin has a policy to open; the staff
who handle GBV may see their agency's GBV incidents. No webhook subscription is seeded: the demo
makes no outbound request (a partner's own system subscribes through the API). Everything is
created by the user who would do it, through the services.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from camps.models import Site
from incidents.models import (
    EscalationPolicy,
    IncidentTaxonomy,
    IncidentType,
    PolicyTrigger,
    Severity,
)
from incidents.policies.services import TierSpec, escalation_policy_create
from incidents.reporting.designations import gbv_designation_grant
from partners.models import DataCategory, PartnerAgency, Sector, SharingPurpose
from partners.selectors import agreements_between
from partners.services import agreement_create, service_create
from protection.accounts.models import Role
from protection.demo.work.mission import Mission


@dataclass(frozen=True)
class ServicePlan:
    agency: str
    name: str
    sector: str
    description: str


SERVICES: tuple[ServicePlan, ...] = (
    ServicePlan(
        "mission",
        "Protection desk and safety planning",
        "protection",
        "Physical protection concerns in and around the sites: safety plans, patrols on request, "
        "relocation inside the PoC site.",
    ),
    ServicePlan(
        "mission",
        "Human rights monitoring and detention visits",
        "legal_aid",
        "Follow-up of arbitrary arrests and detention; visits to detention places.",
    ),
    ServicePlan(
        "un",
        "Legal aid and civil documentation",
        "legal_aid",
        "Counselling and representation; birth certificates, national and refugee documents.",
    ),
    ServicePlan(
        "un",
        "Emergency shelter for people at risk",
        "shelter",
        "Safe shelter for people who cannot stay where they live, for up to three months.",
    ),
    ServicePlan(
        "un",
        "Durable solutions counselling",
        "protection",
        "Information and counselling on return, local integration and resettlement.",
    ),
    ServicePlan(
        "ngo",
        "GBV case management and clinical care",
        "gbv",
        "Survivor-centred case management, clinical management of rape, safe spaces for women "
        "and girls.",
    ),
    ServicePlan(
        "ngo",
        "Child protection and family tracing",
        "child_protection",
        "Case management for children at risk, best interests procedures, tracing and "
        "reunification of separated and unaccompanied children.",
    ),
    ServicePlan(
        "ngo",
        "Psychosocial support",
        "psychosocial",
        "Individual and group psychosocial support for adults and children.",
    ),
)

# Pairs of agencies that signed an agreement; UNDRO and RRN did not.
AGREEMENTS: tuple[tuple[str, str, str], ...] = (
    ("mission", "un", "UNMUK-UNDRO/DSA/01"),
    ("mission", "ngo", "UNMUK-RRN/DSA/02"),
)

SERIOUS_POLICY = "Serious incidents"
GRAVE_VIOLATIONS_POLICY = "Grave violations against children"
EARLY_WARNING_POLICY = "Early warning: incidents rising at a site"


def _agency_sites(mission: Mission, key: str) -> list[Site]:
    agency = mission.agencies[key]
    working = Site.objects.filter(Q(managing_agency=agency) | Q(operating_agencies=agency))
    codes = set(working.values_list("code", flat=True))
    return [site for code, site in sorted(mission.sites.items()) if code in codes]


def _services(mission: Mission) -> int:
    created = 0
    sectors = {sector.code: sector for sector in Sector.objects.all()}
    for key, agency in mission.agencies.items():
        if agency.services.exists():
            continue
        supervisor = mission.user(key, Role.SUPERVISOR)
        for plan in (p for p in SERVICES if p.agency == key):
            slug = plan.sector.replace("_", "-")
            service_create(
                actor=mission.user(key, Role.ADMIN),
                name=plan.name,
                sector=sectors[plan.sector],
                sites=_agency_sites(mission, key),
                description=plan.description,
                contact_name=supervisor.get_full_name(),
                contact_email=f"{slug}@{agency.acronym.lower()}.example.org",
                contact_phone=f"+211 92 {100 + created * 37} {4000 + created * 211}",
            )
            created += 1
    return created


def _agreements(mission: Mission) -> int:
    created = 0
    for one, two, reference in AGREEMENTS:
        if agreements_between(mission.agencies[one], mission.agencies[two]).exists():
            continue
        agreement_create(
            actor=mission.user(one, Role.ADMIN),
            agency_one=mission.agencies[one],
            agency_two=mission.agencies[two],
            purposes=[SharingPurpose.REFERRAL],
            data_categories=list(DataCategory.values),
            valid_from=mission.today - datetime.timedelta(days=365),
            valid_to=mission.today + datetime.timedelta(days=365),
            reference=reference,
            notes="Referrals of consenting persons between the two agencies' services (demo).",
        )
        created += 1
    return created


def _policy_plans(mission: Mission) -> dict[str, Callable[[], dict[str, Any]]]:
    """Return each policy's arguments for escalation_policy_create, built only when needed."""
    agencies = list(mission.agencies.values())
    mission_unit, cp_partner = mission.agencies["mission"], mission.agencies["ngo"]

    def of_all(*roles: str) -> list[tuple[PartnerAgency, str]]:
        return [(agency, role) for agency in agencies for role in roles]

    grave = IncidentType.objects.filter(
        taxonomy=IncidentTaxonomy.GRAVE_VIOLATION, active=True
    ).order_by("sort_order", "code")
    return {
        # The model names agencies, not "the reporting agency": every agency's officers and
        # supervisors are tier 1, so the reporting and the managing agency are always among them.
        SERIOUS_POLICY: lambda: {
            "minimum_severity": Severity.SERIOUS,
            "ack_deadline_minutes": 15,
            "tiers": [
                TierSpec(roles=of_all(Role.PROTECTION_OFFICER, Role.SUPERVISOR), notify_email=True),
                TierSpec(roles=of_all(Role.ADMIN, Role.SUPERVISOR), notify_email=True),
            ],
        },
        # RRN is the mission's child-protection partner (its sectors); the mission's protection
        # unit, which reports grave violations onward, is told next.
        GRAVE_VIOLATIONS_POLICY: lambda: {
            "incident_types": list(grave),
            "ack_deadline_minutes": 30,
            "tiers": [
                TierSpec(
                    roles=[(cp_partner, Role.SUPERVISOR)], notify_email=True, notify_webhook=True
                ),
                TierSpec(
                    roles=[
                        (mission_unit, Role.SUPERVISOR),
                        (mission_unit, Role.PROTECTION_OFFICER),
                    ],
                    notify_email=True,
                ),
            ],
        },
        EARLY_WARNING_POLICY: lambda: {
            "trigger": PolicyTrigger.EARLY_WARNING,
            "ack_deadline_minutes": 60,
            "tiers": [
                TierSpec(
                    roles=[*of_all(Role.SUPERVISOR), (mission_unit, Role.PROTECTION_OFFICER)],
                    notify_email=True,
                    notify_webhook=True,
                ),
                TierSpec(roles=of_all(Role.ADMIN), notify_email=True),
            ],
        },
    }


def agency_policy_name(agency: PartnerAgency) -> str:
    return f"{agency.acronym}: critical incidents at our sites"


def _agency_policies(mission: Mission) -> int:
    """Give each agency a policy kept by its administrator, within its own sites and staff."""
    created = 0
    for key, agency in mission.agencies.items():
        name = agency_policy_name(agency)
        if EscalationPolicy.objects.filter(name__iexact=name).exists():
            continue
        escalation_policy_create(
            actor=mission.user(key, Role.ADMIN),
            name=name,
            minimum_severity=Severity.CRITICAL,
            sites=_agency_sites(mission, key),
            ack_deadline_minutes=20,
            tiers=[
                TierSpec(roles=[(agency, Role.SUPERVISOR)], notify_email=True),
                TierSpec(roles=[(agency, Role.ADMIN)], notify_email=True),
            ],
        )
        created += 1
    return created


def _policies(mission: Mission) -> int:
    created = 0
    for name, arguments in _policy_plans(mission).items():
        if EscalationPolicy.objects.filter(name__iexact=name).exists():
            continue
        escalation_policy_create(actor=mission.superuser, name=name, **arguments())
        created += 1
    return created + _agency_policies(mission)


def _designations(mission: Mission) -> None:
    """Let the staff who handle GBV see their own agency's GBV incidents (granted once)."""
    for key in mission.agencies:
        roles = [Role.PROTECTION_OFFICER, Role.CASE_WORKER]
        if key == "ngo":
            roles.append(Role.SUPERVISOR)
        for role in roles:
            gbv_designation_grant(
                actor=mission.user(key, Role.ADMIN),
                user=mission.user(key, role),
                note="Handles GBV cases and incidents (demo).",
            )


def directory_seed(mission: Mission) -> tuple[int, int, int]:
    """Add what is missing; return how many services, agreements and policies were added."""
    services = _services(mission)
    agreements = _agreements(mission)
    policies = _policies(mission)
    _designations(mission)
    return services, agreements, policies

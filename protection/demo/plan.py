"""The demo mission's plan: its agencies, sites and staff, and the logins they are given.

Everything here is invented: the mission, the agencies, the sites and their admin areas (inside
South Sudan's real country code), and every member of staff. Only for development and
demonstrations: the passwords are printed in clear.
"""

import datetime
from dataclasses import dataclass

from partners.models import AgencyType
from protection.accounts.models import Role

DEMO_PASSWORD = "demo-protection-2025"  # noqa: S105 - printed on purpose; development only
SUPERADMIN_USERNAME = "superadmin"


@dataclass(frozen=True)
class AgencyPlan:
    key: str
    name: str
    acronym: str
    agency_type: str
    sectors: tuple[str, ...]
    contact_name: str


@dataclass(frozen=True)
class SitePlan:
    code: str
    name: str
    site_type: str
    admin1: str
    admin2: str
    latitude: str
    longitude: str
    capacity: int
    opened_on: datetime.date
    managing: str
    operating: tuple[str, ...]
    # Displacement status codes and their weights for households registered here.
    statuses: tuple[tuple[str, int], ...]
    # (agency key, share of this site's households that the agency registers)
    registrars: tuple[tuple[str, int], ...]
    # Share of the mission's households that live here.
    share: int


AGENCIES: tuple[AgencyPlan, ...] = (
    AgencyPlan(
        key="mission",
        name="UN Mission in Upper Kiir, Protection of Civilians Unit (demo)",
        acronym="UNMUK",
        agency_type=AgencyType.MISSION,
        sectors=("protection", "camp_management"),
        contact_name="Helena Marsh",
    ),
    AgencyPlan(
        key="un",
        name="UN Displacement and Refugee Office (demo)",
        acronym="UNDRO",
        agency_type=AgencyType.UN_AGENCY,
        sectors=("protection", "shelter", "legal_aid", "camp_management"),
        contact_name="Tomas Oyelaran",
    ),
    AgencyPlan(
        key="ngo",
        name="Riverbank Relief Network (demo)",
        acronym="RRN",
        agency_type=AgencyType.INTERNATIONAL_NGO,
        sectors=("gbv", "child_protection", "psychosocial", "health", "family_tracing"),
        contact_name="Amani Okello",
    ),
)

SITES: tuple[SitePlan, ...] = (
    SitePlan(
        code="DEMO-POC1",
        name="Lerok Protection of Civilians Site",
        site_type="poc_site",
        admin1="Upper Kiir",
        admin2="Lerok County",
        latitude="9.412300",
        longitude="31.558100",
        capacity=1200,
        opened_on=datetime.date(2014, 1, 20),
        managing="mission",
        operating=("un", "ngo"),
        statuses=(("IDP", 92), ("RDP", 8)),
        registrars=(("mission", 75), ("un", 25)),
        share=40,
    ),
    SitePlan(
        code="DEMO-CMP1",
        name="Amolo Hills Planned Camp",
        site_type="planned_camp",
        admin1="Upper Kiir",
        admin2="Amolo County",
        latitude="9.874500",
        longitude="32.116700",
        capacity=900,
        opened_on=datetime.date(2016, 8, 1),
        managing="un",
        operating=("ngo",),
        statuses=(("REF", 85), ("ASY", 15)),
        registrars=(("un", 80), ("ngo", 20)),
        share=30,
    ),
    SitePlan(
        code="DEMO-CC1",
        name="Tonga Road Collective Centre",
        site_type="collective_centre",
        admin1="Western Barra",
        admin2="Barra Town",
        latitude="7.702900",
        longitude="28.011400",
        capacity=300,
        opened_on=datetime.date(2021, 3, 15),
        managing="ngo",
        operating=(),
        statuses=(("IDP", 60), ("REF", 20), ("RDP", 10), ("RET", 10)),
        registrars=(("ngo", 100),),
        share=14,
    ),
    SitePlan(
        code="DEMO-HST1",
        name="Marial Ajok Host Community Area",
        site_type="host_community",
        admin1="Western Barra",
        admin2="Marial Ajok County",
        latitude="7.965200",
        longitude="28.420600",
        capacity=600,
        opened_on=datetime.date(2019, 11, 4),
        managing="un",
        operating=("mission",),
        statuses=(("IDP", 55), ("HST", 30), ("RET", 15)),
        registrars=(("un", 50), ("mission", 50)),
        share=16,
    ),
)

# (role, username suffix); every agency gets one user per role, named from STAFF_NAMES.
ROLE_USERS: tuple[tuple[str, str], ...] = (
    (Role.ADMIN, "admin"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.PROTECTION_OFFICER, "officer"),
    (Role.CASE_WORKER, "caseworker"),
    (Role.PARTNER_API, "api"),
    (Role.ANALYST, "analyst"),
)

STAFF_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "mission": (
        ("Helena", "Marsh"),
        ("Kofi", "Adjei"),
        ("Nadia", "Lindqvist"),
        ("Peter", "Lado"),
        ("UNMUK", "Integration"),
        ("Ines", "Carvalho"),
    ),
    "un": (
        ("Tomas", "Oyelaran"),
        ("Miriam", "Deng"),
        ("Joseph", "Wani"),
        ("Grace", "Poni"),
        ("UNDRO", "Integration"),
        ("Rahul", "Menon"),
    ),
    "ngo": (
        ("Amani", "Okello"),
        ("Sofia", "Brenner"),
        ("Daniel", "Kuol"),
        ("Rebecca", "Akech"),
        ("RRN", "Integration"),
        ("Yusuf", "Bashir"),
    ),
}


def demo_logins() -> list[tuple[str, str, str, str]]:
    """Return (username, password, agency, role) for every demo account, superuser first."""
    rows = [(SUPERADMIN_USERNAME, DEMO_PASSWORD, "-", "platform superuser")]
    for plan in AGENCIES:
        for role, suffix in ROLE_USERS:
            rows.append(
                (
                    f"{plan.acronym.lower()}.{suffix}",
                    DEMO_PASSWORD,
                    plan.acronym,
                    str(Role(role).label),
                )
            )
    return rows

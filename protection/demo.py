"""A fictional mission to try the system with: agencies, sites, one user per role, households.

Everything here is invented: the mission, the agencies, the sites and their admin areas (inside
South Sudan's real country code), and every person. The people come from a seeded random
generator, so two runs on the same day produce the same population, and they are registered
through `cases.registry.services.household_register` as each agency's officer, the way an
officer would register them. Only for development and demonstrations: the passwords are
printed in clear.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from camps.models import Country, Site, SiteType
from camps.services import population_snapshot_take, site_create
from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    DisplacedPerson,
    DisplacementStatus,
    DocumentType,
    Household,
    Relationship,
    Sex,
    SpecificNeed,
)
from cases.registry.duplicates import ProbeIdentity, phonetic_key, score
from cases.registry.records import PersonData
from cases.registry.services import household_register
from partners.models import AgencyType, PartnerAgency, Sector
from protection.accounts.models import Role, User
from protection.audit import audit_record, diff, snapshot
from protection.dates import age_on, years_before
from protection.demo_work import WorkResult, seed_work

DEMO_PASSWORD = "demo-protection-2025"  # noqa: S105 - printed on purpose; development only
SUPERADMIN_USERNAME = "superadmin"
DEFAULT_HOUSEHOLDS = 500
SEED = 20250601
_BATCH = 50


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

# (role, username suffix, first name, last name); every agency gets one user per role.
ROLE_USERS: tuple[tuple[str, str], ...] = (
    (Role.ADMIN, "admin"),
    (Role.SUPERVISOR, "supervisor"),
    (Role.PROTECTION_OFFICER, "officer"),
    (Role.CASE_WORKER, "caseworker"),
    (Role.PARTNER_API, "api"),
    (Role.ANALYST, "analyst"),
)

_STAFF_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
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


def _words(text: str) -> list[str]:
    """Split a space-separated list (the tables below read better as prose)."""
    return text.split()


def _weights(text: str) -> tuple[tuple[str, int], ...]:
    """Parse "CODE:weight CODE:weight ..." into pairs."""
    return tuple((code, int(weight)) for code, weight in (p.split(":") for p in text.split()))


# Invented combinations of common names, by the origin of the household.
_NAMES: dict[str, dict[str, list[str]]] = {
    "ssd": {
        "male": _words(
            "Akol Deng Garang Mabior Majok Malual Manyang Bol Chol Dut Kuol Lual Makuei Nyok "
            "Riek Gatluak Gatdet Koang Puok Tut Wal Yien Lokuji Ladu Loku Wani Emmanuel Peter "
            "Simon Joseph Samuel Moses James Daniel Isaac Stephen Jacob Thon Madut Kiir Ayuel "
            "Kur Mayen Awet Abraham Achuil Agany Alier Amuom Anyieth Bairo Bangoang Biel Buoy "
            "Chan Chuol Dak Dhieu Duoth Gach Gatkuoth Kang Kuach Kueth Lokiri Lomude Lowi "
            "Mabil Machok Malek Mangar Marial Maker Mayom Nyuot Ojwok Okwong Oling Otto Ruach "
            "Thomas Tiop Wek Yohannes Justin Martin Santino Gabriel Benjamin Michael Elijah"
        ),
        "female": _words(
            "Achol Adut Akech Ayen Nyandeng Nyibol Abuk Aluel Amou Nyakuoth Nyamal Nyaluak "
            "Nyabol Nyagoa Nyachan Keji Poni Jokudu Gune Mary Rebecca Grace Elizabeth Sarah "
            "Martha Rose Esther Ruth Agnes Josephine Awut Yar Aker Adhieu Nyanut Achai Ajok "
            "Apiu Nyaboth Kiden Lilian Viola Abang Achan Adau Agum Ahok Akuol Alek Amer Anger "
            "Athieng Awien Ayak Bakhita Cecilia Christine Diana Fatuma Gatwech Hellen Juan "
            "Kaku Lona Mercy Monica Nyakong Nyalok Nyawal Nyariek Nyaruach Nyathon Regina "
            "Susan Teresa Tabitha Angelina Veronica Joy Night Peace Sunday Helen Jane"
        ),
        "family": _words(
            "Akol Deng Garang Mabior Majok Malual Manyang Bol Chol Dut Kuol Lual Makuei Nyok "
            "Riek Gatluak Gatdet Koang Puok Tut Wal Yien Lokuji Ladu Lemi Wani Aguer Arop "
            "Ater Athian Bak Biar Dau Dhal Duku Gai Jal Jok Kachuol Kenyi Lam Lomoro Machar "
            "Makur Mamer Mathiang Mawien Modi Nhial Ngor Nyuon Ochan Odong Ohide Pal Ruai Ter "
            "Thiik Tombe Yak Yata Bior Anei Amum Bullen"
        ),
    },
    "sdn": {
        "male": _words(
            "Mohamed Ahmed Hassan Hussein Ibrahim Ismail Abdalla Omer Yousif Kamal Adam Idris "
            "Suleiman Musa Bashir Khalid Osman Salih Tahir Yahya Haroun Nour Babiker Elnour"
        ),
        "female": _words(
            "Fatima Amna Hawa Khadija Zainab Asha Halima Mariam Aisha Safia Sumaya Hanan "
            "Nafisa Rabia Salma Zahra Amal Huda Nasra Fadila Maha Sara Insaf Rasha"
        ),
        "family": _words(
            "Abakar Abdelrahman Adam Ahmed Babiker Bakheit Daoud Elamin Eltayeb Hamid Haroun "
            "Ishag Jibril Khamis Mahjoub Mustafa Nimir Osman Rahama Saleh Tijani Yagoub "
            "Zakaria Abdelkarim Fadul Gadal Hamdan Khater Omda Sharif"
        ),
    },
    "cod": {
        "male": _words(
            "Jean Pierre Patrice Joseph Dieudonne Emmanuel Christian Bienvenu Fiston Alain "
            "Didier Olivier Serge Gloire"
        ),
        "female": _words(
            "Marie Esperance Chantal Furaha Neema Solange Pascaline Nathalie Josephine Grace "
            "Ornella Divine Rachel Aline"
        ),
        "family": _words(
            "Mbolitini Kpiolo Bangazi Gbudue Ngbandi Mbikoyo Zande Kumbonyeki Wando Bagbeni "
            "Ngalamu Sasa Bilikisi Atoro Ukwa Mopoyi Renzi Bangbe Kiamba Nzapanga"
        ),
    },
}

_ORIGINS: dict[str, dict[str, Any]] = {
    "ssd": {
        "country": "SSD",
        "places": ("Lerok", "Amolo", "Pakam", "Wundit", "Malek", "Barra", "Tonj East", "Kuach"),
        "languages": ("Dinka, Juba Arabic", "Nuer", "Shilluk", "Bari, Juba Arabic", "Zande"),
    },
    "sdn": {
        "country": "SDN",
        "places": ("Ed Daein", "Kadugli", "Kutum", "El Geneina", "Tawila", "Damazin"),
        "languages": ("Arabic", "Fur, Arabic", "Masalit, Arabic", "Nuba, Arabic"),
    },
    "cod": {
        "country": "COD",
        "places": ("Dungu", "Faradje", "Aba", "Doruma", "Bangadi"),
        "languages": ("Lingala, French", "Zande, French", "Bangala"),
    },
}

# How often to redraw a given name that looks like someone planned already.
_NAME_ATTEMPTS = 30
# Stand-ins for country ids when comparing planned people (only equality matters).
_NATIONALITY_IDS = {"SSD": 1, "SDN": 2, "COD": 3}

# Household size 1..10 and how often each occurs (mean about four people).
_HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
_HOUSEHOLD_SIZE_WEIGHTS = (12, 15, 18, 18, 14, 10, 6, 4, 2, 1)

# Each year of childhood a little less common than the one before (0 years: 1.3, 17: 0.7).
_CHILD_AGE_WEIGHTS = tuple(1.3 - 0.6 * age / 17 for age in range(18))

# Specific-need codes by group, each with its weight, and the chance a person of the group has one.
_NEEDS_CHILD = _weights(
    "SM-MN:6 SC-SC:4 CR-NE:4 SC-UC:1 CR-LO:2 CR-LW:1 CR-AF:1 CR-SE:1 DS-PM:1 DS-DF:1 FU-TR:2"
)
_NEEDS_WOMAN = _weights(
    "WR-WR:4 WR-SF:3 WR-LC:4 SV-VF:2 SV-VO:2 SM-DP:2 SM-CI:2 DS-PM:1 LP-ND:3 FU-TR:1 SV-FM:1"
)
_NEEDS_MAN = _weights("SM-CI:3 DS-PM:2 DS-BD:1 LP-ND:4 TR-WV:2 LP-AF:1 SM-MI:1 LP-MD:2 FU-TR:1")
_NEEDS_OLDER = _weights("ER-NF:3 ER-MC:2 ER-FR:2 DS-BD:2 DS-PM:2 SM-CI:4")
_NEED_CHANCE = {"child": 0.14, "woman": 0.22, "man": 0.13, "older": 0.55}


@dataclass
class DemoResult:
    """What one seeding run created or found."""

    agencies_created: int = 0
    sites_created: int = 0
    users_created: int = 0
    households_created: int = 0
    people_created: int = 0
    households_total: int = 0
    people_total: int = 0
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    work: WorkResult = field(default_factory=WorkResult)


def _audit_created(obj: Any, fields: list[str]) -> None:
    audit_record(
        actor=None, action=f"{obj._meta.model_name}.create", obj=obj,
        changes=diff({}, snapshot(obj, fields)),
    )  # fmt: skip


def _agencies() -> tuple[dict[str, PartnerAgency], int]:
    agencies: dict[str, PartnerAgency] = {}
    created = 0
    for plan in AGENCIES:
        agency = PartnerAgency.objects.filter(acronym__iexact=plan.acronym).first()
        if agency is None:
            agency = PartnerAgency.objects.create(
                name=plan.name,
                acronym=plan.acronym,
                agency_type=plan.agency_type,
                contact_name=plan.contact_name,
                contact_email=f"protection@{plan.acronym.lower()}.example.org",
            )
            agency.sectors.set(Sector.objects.filter(code__in=plan.sectors))
            _audit_created(agency, ["name", "acronym", "agency_type"])
            created += 1
        agencies[plan.key] = agency
    return agencies, created


def _sites(
    agencies: dict[str, PartnerAgency], users: dict[tuple[str, str], User]
) -> tuple[dict[str, Site], int]:
    country = Country.objects.get(code="SSD")
    sites: dict[str, Site] = {}
    created = 0
    for plan in SITES:
        site = Site.objects.filter(code__iexact=plan.code).first()
        if site is None:
            # The managing agency's administrator creates the site, as in the admin.
            site = site_create(
                actor=users[(plan.managing, Role.ADMIN)],
                code=plan.code,
                name=plan.name,
                site_type=SiteType.objects.get(code=plan.site_type),
                country=country,
                admin1=plan.admin1,
                admin2=plan.admin2,
                latitude=Decimal(plan.latitude),
                longitude=Decimal(plan.longitude),
                capacity=plan.capacity,
                opened_on=plan.opened_on,
                operating_agencies=[agencies[key] for key in plan.operating],
            )
            created += 1
        sites[plan.code] = site
    return sites, created


def _users(agencies: dict[str, PartnerAgency]) -> tuple[dict[tuple[str, str], User], int]:
    users: dict[tuple[str, str], User] = {}
    created = 0
    # Hash the shared password once: a slow hash nineteen times is most of a demo run.
    hashed = make_password(DEMO_PASSWORD)
    superadmin = User.objects.filter(username=SUPERADMIN_USERNAME).first()
    if superadmin is None:
        superadmin = User.objects.create(
            username=SUPERADMIN_USERNAME,
            email="superadmin@example.org",
            password=hashed,
            first_name="Platform",
            last_name="Superuser",
            is_staff=True,
            is_superuser=True,
        )
        _audit_created(superadmin, ["username", "is_superuser", "is_staff"])
        created += 1
    for plan in AGENCIES:
        agency = agencies[plan.key]
        for (role, suffix), (first, last) in zip(ROLE_USERS, _STAFF_NAMES[plan.key], strict=True):
            username = f"{plan.acronym.lower()}.{suffix}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username,
                    email=f"{username}@example.org",
                    password=hashed,
                    first_name=first,
                    last_name=last,
                    agency=agency,
                    role=role,
                    is_staff=role == Role.ADMIN,
                )
                _audit_created(user, ["username", "agency", "role", "is_staff"])
                created += 1
            users[(plan.key, role)] = user
    return users, created


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


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class _Member:
    relationship: str
    sex: str
    age: int


def _composition(rng: random.Random) -> list[_Member]:
    """Draw who lives in one household: a head, maybe a spouse, children, maybe an elder."""
    size = rng.choices(_HOUSEHOLD_SIZES, weights=_HOUSEHOLD_SIZE_WEIGHTS)[0]
    if size >= 3 and rng.random() < 0.015:
        # A child-headed household: an older sibling caring for the younger ones.
        head = _Member(Relationship.HEAD, rng.choice([Sex.FEMALE, Sex.MALE]), rng.randint(15, 17))
        siblings = [
            _Member(Relationship.SIBLING, rng.choice([Sex.FEMALE, Sex.MALE]), rng.randint(1, 14))
            for _ in range(size - 1)
        ]
        return [head, *siblings]
    head_sex = Sex.FEMALE if rng.random() < 0.55 else Sex.MALE
    head_age = int(rng.triangular(18, 76, 30))
    members = [_Member(Relationship.HEAD, head_sex, head_age)]
    spouse_chance = 0.35 if head_sex == Sex.FEMALE else 0.85
    if size >= 2 and head_age < 70 and rng.random() < spouse_chance:
        spouse_sex = Sex.MALE if head_sex == Sex.FEMALE else Sex.FEMALE
        gap = rng.randint(-3, 10) if spouse_sex == Sex.MALE else -rng.randint(-3, 10)
        members.append(_Member(Relationship.SPOUSE, spouse_sex, max(18, head_age + gap)))
    if len(members) < size and head_age < 55 and rng.random() < 0.2:
        members.append(
            _Member(
                rng.choice([Relationship.PARENT, Relationship.GRANDPARENT]),
                Sex.FEMALE if rng.random() < 0.65 else Sex.MALE,
                min(95, head_age + rng.randint(20, 35)),
            )
        )
    if len(members) < size and rng.random() < 0.1:
        members.append(
            _Member(
                rng.choice([Relationship.SIBLING, Relationship.OTHER_RELATIVE]),
                rng.choice([Sex.FEMALE, Sex.MALE]),
                rng.randint(18, 40),
            )
        )
    oldest_child = max(0, min(17, head_age - 15))
    while len(members) < size:
        # Younger children are more numerous: an age pyramid with a wide base.
        age = rng.choices(range(oldest_child + 1), weights=_CHILD_AGE_WEIGHTS[: oldest_child + 1])[
            0
        ]
        relationship = Relationship.CHILD
        if head_age >= 50 and rng.random() < 0.4:
            relationship = Relationship.GRANDCHILD
        elif rng.random() < 0.06:
            relationship = Relationship.OTHER_RELATIVE
        members.append(_Member(relationship, rng.choice([Sex.FEMALE, Sex.MALE]), age))
    return members


def _needs_for(
    rng: random.Random, member: _Member, *, single_parent: bool, child_headed: bool
) -> list[str]:
    if member.relationship == Relationship.HEAD and child_headed:
        return ["SC-CH"]
    if member.age < 18:
        group, table = "child", _NEEDS_CHILD
    elif member.age >= 60:
        group, table = "older", _NEEDS_OLDER
    elif member.sex == Sex.FEMALE:
        group, table = "woman", _NEEDS_WOMAN
    else:
        group, table = "man", _NEEDS_MAN
    codes: list[str] = []
    if single_parent and member.relationship == Relationship.HEAD and rng.random() < 0.5:
        codes.append("SP-PT")
    if rng.random() < _NEED_CHANCE[group]:
        codes.append(_weighted(rng, table))
        if rng.random() < 0.15:
            codes.append(_weighted(rng, table))
    return sorted(set(codes))


def _family_name(rng: random.Random, names: dict[str, list[str]]) -> str:
    """Return a father's and a grandfather's name, the way most families here are named."""
    return f"{rng.choice(names['male'])} {rng.choice(names['family'])}"


class _LookAlikes:
    """The people planned so far, indexed the way the registry's duplicate check blocks them.

    Redrawing a given name that would look like someone already planned keeps the duplicate
    check quiet for the demo population, so that the look-alikes officers meet are their own.
    """

    def __init__(self) -> None:
        self._by_key: dict[str, list[tuple[int, DisplacedPerson]]] = defaultdict(list)

    @staticmethod
    def _keys(person: DisplacedPerson) -> set[str]:
        return {phonetic_key(person.given_name), phonetic_key(person.family_name)} - {""}

    def resembles(self, household: int, person: DisplacedPerson, estimated: bool) -> bool:
        """Return whether the duplicate check would show a planned person as a likely match."""
        tolerance = (
            settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
            if estimated
            else settings.DUPLICATE_DOB_TOLERANCE_YEARS
        )
        earliest = years_before(person.date_of_birth, tolerance)
        latest = years_before(person.date_of_birth, -tolerance)
        probe = ProbeIdentity(
            person.given_name,
            person.family_name,
            person.sex,
            person.date_of_birth,
            estimated,
            person.nationality_id,
        )
        for key in self._keys(person):
            for other_household, other in self._by_key[key]:
                if other_household == household or not earliest <= other.date_of_birth <= latest:
                    continue
                if score(probe, other, tolerance).score >= settings.DUPLICATE_MIN_SCORE:
                    return True
        return False

    def add(self, household: int, person: DisplacedPerson) -> None:
        for key in self._keys(person):
            self._by_key[key].append((household, person))


@dataclass
class _HouseholdDraft:
    address: str
    registered_on: datetime.date
    members: list[dict[str, Any]]


def _household_draft(
    rng: random.Random,
    plan: SitePlan,
    number: int,
    today: datetime.date,
    look_alikes: _LookAlikes,
    household_index: int,
) -> _HouseholdDraft:
    status = _weighted(rng, plan.statuses)
    refugees = status in ("REF", "ASY")
    origin = ("sdn" if rng.random() < 0.75 else "cod") if refugees else "ssd"
    names = _NAMES[origin]
    place = _ORIGINS[origin]
    family_name = _family_name(rng, names)
    languages = rng.choice(place["languages"])
    origin_location = rng.choice(place["places"])

    earliest = max(plan.opened_on, today - datetime.timedelta(days=6 * 365))
    span = max(1, (today - earliest).days - 40)
    displaced_on = earliest + datetime.timedelta(days=rng.randrange(span))
    arrived_on = min(today, displaced_on + datetime.timedelta(days=rng.randint(0, 30)))
    registered_on = min(today, arrived_on + datetime.timedelta(days=rng.randint(0, 10)))

    people = _composition(rng)
    child_headed = people[0].age < 18
    single_parent = not any(p.relationship == Relationship.SPOUSE for p in people) and any(
        p.age < 18 for p in people[1:]
    )
    members: list[dict[str, Any]] = []
    for member in people:
        estimated = rng.random() < (0.5 if member.age >= 60 else 0.08 if member.age >= 18 else 0.02)
        if estimated:
            born = years_before(today, member.age).replace(month=1, day=1)
        else:
            born = years_before(today, member.age) - datetime.timedelta(days=rng.randint(1, 364))
        age = age_on(born, today)
        member.age = age
        # Children and siblings carry the household's family name; in-laws and elders their own.
        own_name = member.relationship in (Relationship.CHILD, Relationship.GRANDCHILD)
        own_name = own_name or member.relationship in (Relationship.HEAD, Relationship.SIBLING)
        family = family_name if own_name else _family_name(rng, names)
        given_pool = names["female"] if member.sex == Sex.FEMALE else names["male"]
        taken = {m["given_name"] for m in members}
        for _attempt in range(_NAME_ATTEMPTS):
            given = rng.choice([name for name in given_pool if name not in taken])
            stand_in = DisplacedPerson(
                given_name=given,
                family_name=family,
                sex=member.sex,
                date_of_birth=born,
                nationality_id=_NATIONALITY_IDS[place["country"]],
            )
            if not look_alikes.resembles(household_index, stand_in, estimated):
                break
        look_alikes.add(household_index, stand_in)
        documents: list[str] = []
        if rng.random() < 0.7:
            documents.append(DocumentType.RATION_CARD)
        if status in ("REF", "ASY") and rng.random() < 0.6:
            documents.append(DocumentType.REFUGEE_ID)
        if age >= 18 and origin == "ssd" and rng.random() < 0.3:
            documents.append(DocumentType.NATIONAL_ID)
        if age < 5 and rng.random() < 0.2:
            documents.append(DocumentType.BIRTH_CERTIFICATE)
        members.append(
            {
                "given_name": given,
                "family_name": family,
                "sex": member.sex,
                "relationship_to_head": member.relationship,
                "status": status,
                "nationality": place["country"],
                "date_of_birth": None if estimated else born,
                "estimated_age": age if estimated else None,
                "languages": languages,
                "origin_country": place["country"],
                "origin_location": origin_location,
                "displaced_on": displaced_on if born <= displaced_on else None,
                "arrived_on": arrived_on if born <= arrived_on else None,
                "phone": (
                    f"+211 9{rng.randint(1, 8)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                    if member.relationship == Relationship.HEAD and rng.random() < 0.45
                    else ""
                ),
                "documents": sorted(documents),
                "needs": _needs_for(
                    rng, member, single_parent=single_parent, child_headed=child_headed
                ),
                "consent_given_by": ConsentGivenBy.PERSON if age >= 18 or member.relationship
                == Relationship.HEAD else ConsentGivenBy.CAREGIVER,
                "consent_scope": ConsentScope.SHARING if rng.random() < 0.45
                else ConsentScope.REGISTRATION,
            }
        )  # fmt: skip
    block = "ABCDEFGH"[number % 8]
    return _HouseholdDraft(
        address=f"Block {block}, plot {number + 1}",
        registered_on=registered_on,
        members=members,
    )


def household_plan(total: int, today: datetime.date) -> list[tuple[SitePlan, str, _HouseholdDraft]]:
    """Return the demo households in a fixed order: (site, registering agency key, draft).

    The order and content depend only on `total` and the day, so that a rerun finds the same
    plan and can skip what is registered already.
    """
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    look_alikes = _LookAlikes()
    weights = [plan.share for plan in SITES]
    counts = [total * w // sum(weights) for w in weights]
    counts[0] += total - sum(counts)
    result: list[tuple[SitePlan, str, _HouseholdDraft]] = []
    for plan, count in zip(SITES, counts, strict=True):
        for number in range(count):
            agency_key = _weighted(rng, plan.registrars)
            draft = _household_draft(rng, plan, number, today, look_alikes, len(result))
            result.append((plan, agency_key, draft))
    return result


def _person_data(
    member: dict[str, Any],
    registered_on: datetime.date,
    statuses: dict[str, DisplacementStatus],
    countries: dict[str, Country],
    needs: dict[str, SpecificNeed],
) -> PersonData:
    return PersonData(
        given_name=member["given_name"],
        family_name=member["family_name"],
        sex=member["sex"],
        relationship_to_head=member["relationship_to_head"],
        displacement_status=statuses[member["status"]],
        consent_date=registered_on,
        consent_given_by=member["consent_given_by"],
        consent_scope=member["consent_scope"],
        date_of_birth=member["date_of_birth"],
        estimated_age=member["estimated_age"],
        nationality=countries[member["nationality"]],
        languages=member["languages"],
        origin_country=countries[member["origin_country"]],
        origin_location=member["origin_location"],
        displaced_on=member["displaced_on"],
        arrived_on=member["arrived_on"],
        phone=member["phone"],
        documents=member["documents"],
        specific_needs=[needs[code] for code in member["needs"]],
        # Demo people are invented one by one; a look-alike is a coincidence, not a duplicate.
        confirm_not_duplicate=True,
    )


def seed_demo(
    *,
    households: int = DEFAULT_HOUSEHOLDS,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create the demo mission; register its households unless they are registered already.

    Safe to run again: agencies, sites and users are found by acronym, code and username, and
    each (site, agency) pair gets only the households it is still missing from the plan.
    """
    result = DemoResult()
    with transaction.atomic():
        agencies, result.agencies_created = _agencies()
        users, result.users_created = _users(agencies)
        sites, result.sites_created = _sites(agencies, users)

    today = timezone.localdate()
    statuses = {s.code: s for s in DisplacementStatus.objects.all()}
    countries = {c.code: c for c in Country.objects.filter(code__in=["SSD", "SDN", "COD"])}
    needs = {n.code: n for n in SpecificNeed.objects.select_related("category")}

    plan = household_plan(households, today)
    existing = {
        (site_code, key): Household.objects.filter(
            site=sites[site_code], owning_agency=agencies[key]
        ).count()
        for site_code in sites
        for key in agencies
    }
    seen: dict[tuple[str, str], int] = {}
    todo: list[tuple[Site, User, _HouseholdDraft]] = []
    for site_plan, agency_key, draft in plan:
        bucket = (site_plan.code, agency_key)
        seen[bucket] = seen.get(bucket, 0) + 1
        if seen[bucket] > existing[bucket]:
            officer = users[(agency_key, Role.PROTECTION_OFFICER)]
            todo.append((sites[site_plan.code], officer, draft))

    # Commit in batches: one commit per household is most of the time on PostgreSQL, and an
    # interrupted run loses at most one batch, which the next run registers again.
    for start in range(0, len(todo), _BATCH):
        with transaction.atomic():
            for site, officer, draft in todo[start : start + _BATCH]:
                registration = household_register(
                    actor=officer,
                    site=site,
                    members=[
                        _person_data(m, draft.registered_on, statuses, countries, needs)
                        for m in draft.members
                    ],
                    address=draft.address,
                    registered_on=draft.registered_on,
                )
                result.households_created += 1
                result.people_created += len(registration.members)
        if progress is not None:
            progress(min(start + _BATCH, len(todo)), len(todo))

    # Before the snapshots: closing a case with a durable solution changes a person's status.
    result.work = seed_work(
        agencies=agencies,
        users=users,
        sites=sites,
        superuser=User.objects.get(username=SUPERADMIN_USERNAME),
    )
    for site in sites.values():
        population_snapshot_take(site=site)
    result.households_total = Household.objects.filter(site__in=sites.values()).count()
    result.people_total = sum(s.people.count() for s in sites.values())
    result.logins = demo_logins()
    return result

"""The demo mission's organisation: its agencies, users and sites, found or created.

Each is found by acronym, username or code before it is created, so that a second run adds
nothing; the sites are created through `camps.services.site_create` by the managing agency's
administrator, as in the admin.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from camps.models import Country, Site, SiteType
from camps.services import site_create
from partners.models import PartnerAgency, Sector
from protection.accounts.models import Role, User
from protection.audit import audit_record, diff, snapshot
from protection.demo.plan import (
    AGENCIES,
    DEMO_PASSWORD,
    ROLE_USERS,
    SITES,
    STAFF_NAMES,
    SUPERADMIN_USERNAME,
)


def _audit_created(obj: Any, fields: list[str]) -> None:
    audit_record(
        actor=None, action=f"{obj._meta.model_name}.create", obj=obj,
        changes=diff({}, snapshot(obj, fields)),
    )  # fmt: skip


def agencies_seed() -> tuple[dict[str, PartnerAgency], int]:
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


def sites_seed(
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


def users_seed(agencies: dict[str, PartnerAgency]) -> tuple[dict[tuple[str, str], User], int]:
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
        for (role, suffix), (first, last) in zip(ROLE_USERS, STAFF_NAMES[plan.key], strict=True):
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

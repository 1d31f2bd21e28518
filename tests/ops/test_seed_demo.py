"""seed_demo builds a sensible fictional mission through the services, and adds nothing twice."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from camps.models import Site
from cases.models import DisplacedPerson, Household, PersonSpecificNeed, Relationship
from cases.registry.records import CHILD_NEED_CATEGORIES
from partners.models import AgencyType, PartnerAgency
from protection import access
from protection.accounts.models import Role, User
from protection.demo.households import household_plan
from protection.demo.plan import AGENCIES, DEMO_PASSWORD, ROLE_USERS, SITES
from protection.models import AuditEvent

HOUSEHOLDS = 24


def seed(households: int = HOUSEHOLDS, **options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", households=households, force=True, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "agencies": PartnerAgency.objects.count(),
        "sites": Site.objects.count(),
        "users": User.objects.count(),
        "households": Household.objects.count(),
        "people": DisplacedPerson.objects.count(),
        "needs": PersonSpecificNeed.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.mark.django_db
def test_seed_demo_creates_the_mission_and_a_second_run_adds_nothing(demo_seeded: str) -> None:
    output = demo_seeded
    first = counts()
    assert first["agencies"] == len(AGENCIES) == 3
    assert first["sites"] == len(SITES) == 4
    assert first["users"] == 1 + len(AGENCIES) * len(ROLE_USERS)
    assert first["households"] == HOUSEHOLDS
    assert first["people"] > HOUSEHOLDS
    assert "unmuk.officer" in output and DEMO_PASSWORD in output

    again = seed()
    assert counts() == first
    assert "nothing to add" in again
    assert "unmuk.officer" in again  # the logins are printed on every run


@pytest.mark.django_db
def test_agencies_sites_and_users_fit_the_access_policy(demo_seeded: str) -> None:
    agencies = {a.acronym: a for a in PartnerAgency.objects.all()}
    assert agencies["UNMUK"].agency_type == AgencyType.MISSION
    assert agencies["UNDRO"].agency_type == AgencyType.UN_AGENCY
    assert agencies["RRN"].agency_type == AgencyType.INTERNATIONAL_NGO
    assert len({s.site_type.code for s in Site.objects.select_related("site_type")}) == 4

    superadmin = User.objects.get(username="superadmin")
    assert superadmin.is_superuser and superadmin.is_staff and superadmin.agency_id is None
    assert superadmin.check_password(DEMO_PASSWORD)
    for acronym, agency in agencies.items():
        roles = dict(agency.users.values_list("role", "username"))
        assert set(roles) == {str(role) for role in Role}, acronym
        for user in agency.users.all():
            assert user.is_staff == (user.role == Role.ADMIN)
            assert not user.is_superuser
            assert user.check_password(DEMO_PASSWORD)

    views = {
        acronym: set(
            access.sites_for(
                User.objects.get(agency=agency, role=Role.PROTECTION_OFFICER)
            ).values_list("code", flat=True)
        )
        for acronym, agency in agencies.items()
    }
    # Every agency works in two or three sites, and no agency sees every site.
    assert all(2 <= len(codes) < len(SITES) for codes in views.values()), views
    for acronym, agency in agencies.items():
        officer = User.objects.get(agency=agency, role=Role.PROTECTION_OFFICER)
        own = Household.objects.filter(owning_agency=agency)
        assert own.exists(), acronym
        # Officers see exactly their agency's households, all registered in their sites.
        assert set(access.households_for(officer)) == set(own)
        assert set(own.values_list("created_by", flat=True)) == {officer.pk}
        analyst = User.objects.get(agency=agency, role=Role.ANALYST)
        assert not access.people_for(analyst).exists()


@pytest.mark.django_db
def test_registration_went_through_the_service_with_an_audit_trail(demo_seeded: str) -> None:
    assert AuditEvent.objects.filter(action="household.register").count() == HOUSEHOLDS
    assert (
        AuditEvent.objects.filter(action="person.register").count()
        == DisplacedPerson.objects.count()
    )
    for household in Household.objects.prefetch_related("members"):
        heads = [m for m in household.members.all() if m.relationship_to_head == Relationship.HEAD]
        assert len(heads) == 1
        assert {m.site_id for m in household.members.all()} == {household.site_id}
        assert {m.owning_agency_id for m in household.members.all()} == {household.owning_agency_id}


def _age(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def test_the_full_plan_is_a_realistic_population() -> None:
    """The 500-household plan, checked without registering it (that is what make run does)."""
    today = datetime.date(2026, 6, 15)
    plan = household_plan(500, today)
    assert plan == household_plan(500, today)  # seeded: the same plan every time
    people = [member for _site, _agency, draft in plan for member in draft.members]
    assert len(plan) == 500
    assert 1800 <= len(people) <= 2200

    sexes = Counter(p["sex"] for p in people)
    assert set(sexes) == {"female", "male"}
    assert 0.45 <= sexes["female"] / len(people) <= 0.6

    def born(p: dict[str, object]) -> datetime.date:
        if p["date_of_birth"] is not None:
            return p["date_of_birth"]  # type: ignore[return-value]
        return datetime.date(today.year - int(p["estimated_age"]), 1, 1)  # type: ignore[call-overload]

    ages = [_age(born(p), today) for p in people]
    children = sum(age < 18 for age in ages) / len(people)
    under_five = sum(age < 5 for age in ages) / len(people)
    older = sum(age >= 60 for age in ages) / len(people)
    assert 0.45 <= children <= 0.65, children
    assert 0.12 <= under_five <= 0.25, under_five
    assert 0.02 <= older <= 0.1, older

    statuses = Counter(p["status"] for p in people)
    assert (statuses["IDP"] + statuses["REF"]) / len(people) >= 0.75
    assert len(statuses) >= 5

    with_needs = [p for p in people if p["needs"]]
    assert 0.15 <= len(with_needs) / len(people) <= 0.25
    for person, age in zip(people, ages, strict=True):
        child_codes = [c for c in person["needs"] if c.split("-")[0] in CHILD_NEED_CATEGORIES]
        if child_codes:
            assert age < 18, (person, age)

    estimated = sum(p["date_of_birth"] is None for p in people) / len(people)
    assert 0.02 <= estimated <= 0.15, estimated
    sizes = Counter(len(draft.members) for _site, _agency, draft in plan)
    assert min(sizes) == 1 and max(sizes) >= 8
    assert {site.code for site, _agency, _draft in plan} == {s.code for s in SITES}


@pytest.mark.django_db
def test_demo_accounts_that_need_a_second_factor_pass_it_with_the_published_key(
    demo_seeded: str,
) -> None:
    from django.test import RequestFactory
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from protection.accounts.second_factor import second_factor_required, second_factor_verify
    from protection.demo.authenticator import DEMO_TOTP_SECRET

    assert DEMO_TOTP_SECRET in demo_seeded
    for user in User.objects.all():
        enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        assert enrolled == second_factor_required(user), user.username
    supervisor = User.objects.get(username="unmuk.supervisor")
    assert AuditEvent.objects.filter(
        action="user.second_factor_enrol", object_id=str(supervisor.pk)
    ).exists()

    # The code the command prints is one the sign-in accepts (after the enrolment's own step).
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        out = io.StringIO()
        call_command("demo_code", "unmuk.supervisor", stdout=out)
        code = out.getvalue().strip()
        assert len(code) == 6 and code.isdigit()
        request = RequestFactory().post("/accounts/second-factor/")
        device = second_factor_verify(user=supervisor, token=code, request=request)
    assert device.user_id == supervisor.pk
    assert not second_factor_required(User.objects.get(username="unmuk.analyst"))
    with pytest.raises(CommandError):
        call_command("demo_code", "unmuk.analyst", stdout=io.StringIO())

"""The demo households: who lives in each, where they come from, when they registered.

Everything here is invented: the mission, the agencies, the sites and their admin areas (inside
South Sudan's real country code), and every person. The people come from a seeded random
generator, so two runs on the same day produce the same population, and they are registered
through `cases.registry.services.household_register` as each agency's officer, the way an
officer would register them. Only for development and demonstrations: the passwords are printed
in clear.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    DisplacedPerson,
    DocumentType,
    Relationship,
    Sex,
)
from cases.registry.duplicates import ProbeIdentity, phonetic_key, score
from protection.dates import age_on, years_before
from protection.demo.people import (
    CHILD_AGE_WEIGHTS,
    HOUSEHOLD_SIZE_WEIGHTS,
    HOUSEHOLD_SIZES,
    NAME_ATTEMPTS,
    NAMES,
    NATIONALITY_IDS,
    NEED_CHANCE,
    NEEDS_CHILD,
    NEEDS_MAN,
    NEEDS_OLDER,
    NEEDS_WOMAN,
    ORIGINS,
)
from protection.demo.plan import SITES, SitePlan

SEED = 20250601


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class _Member:
    relationship: str
    sex: str
    age: int


def _composition(rng: random.Random) -> list[_Member]:
    """Draw who lives in one household: a head, maybe a spouse, children, maybe an elder."""
    size = rng.choices(HOUSEHOLD_SIZES, weights=HOUSEHOLD_SIZE_WEIGHTS)[0]
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
        age = rng.choices(range(oldest_child + 1), weights=CHILD_AGE_WEIGHTS[: oldest_child + 1])[0]
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
        group, table = "child", NEEDS_CHILD
    elif member.age >= 60:
        group, table = "older", NEEDS_OLDER
    elif member.sex == Sex.FEMALE:
        group, table = "woman", NEEDS_WOMAN
    else:
        group, table = "man", NEEDS_MAN
    codes: list[str] = []
    if single_parent and member.relationship == Relationship.HEAD and rng.random() < 0.5:
        codes.append("SP-PT")
    if rng.random() < NEED_CHANCE[group]:
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
class HouseholdDraft:
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
) -> HouseholdDraft:
    status = _weighted(rng, plan.statuses)
    refugees = status in ("REF", "ASY")
    origin = ("sdn" if rng.random() < 0.75 else "cod") if refugees else "ssd"
    names = NAMES[origin]
    place = ORIGINS[origin]
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
        for _attempt in range(NAME_ATTEMPTS):
            given = rng.choice([name for name in given_pool if name not in taken])
            stand_in = DisplacedPerson(
                given_name=given,
                family_name=family,
                sex=member.sex,
                date_of_birth=born,
                nationality_id=NATIONALITY_IDS[place["country"]],
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
    return HouseholdDraft(
        address=f"Block {block}, plot {number + 1}",
        registered_on=registered_on,
        members=members,
    )


def household_plan(total: int, today: datetime.date) -> list[tuple[SitePlan, str, HouseholdDraft]]:
    """Return the demo households in a fixed order: (site, registering agency key, draft).

    The order and content depend only on `total` and the day, so that a rerun finds the same
    plan and can skip what is registered already.
    """
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    look_alikes = _LookAlikes()
    weights = [plan.share for plan in SITES]
    counts = [total * w // sum(weights) for w in weights]
    counts[0] += total - sum(counts)
    result: list[tuple[SitePlan, str, HouseholdDraft]] = []
    for plan, count in zip(SITES, counts, strict=True):
        for number in range(count):
            agency_key = _weighted(rng, plan.registrars)
            draft = _household_draft(rng, plan, number, today, look_alikes, len(result))
            result.append((plan, agency_key, draft))
    return result

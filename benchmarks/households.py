"""Draw a plausible household: who its members are, their ages, sexes and names."""

import datetime
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from benchmarks import names
from benchmarks.names import ARABIC_FAMILY, ARABIC_GIVEN


def years_ago(today: datetime.date, years: int, rng: random.Random) -> datetime.date:
    """Return a birth date `years` (and some days) before `today`."""
    return today - datetime.timedelta(days=int(years * 365.25) + rng.randrange(0, 365))


def household_members(
    rng: random.Random, today: datetime.date, size: int
) -> Iterator[tuple[str, str, datetime.date]]:
    """Yield (relationship, sex, date of birth) for a household of `size`."""
    head_sex = rng.choices(["female", "male"], [55, 45])[0]
    head_age = rng.randint(18, 75)
    yield "head", head_sex, years_ago(today, head_age, rng)
    if size > 1 and rng.random() < 0.7:
        yield (
            "spouse",
            "male" if head_sex == "female" else "female",
            years_ago(today, max(18, head_age + rng.randint(-8, 8)), rng),
        )
        size -= 1
    for _index in range(size - 1):
        relationship = rng.choices(
            ["child", "grandchild", "sibling", "parent", "other_relative", "not_related"],
            [70, 8, 8, 4, 7, 3],
        )[0]
        if relationship in ("child", "grandchild"):
            age = rng.randint(0, 17)
        elif relationship == "parent":
            age = min(100, head_age + rng.randint(18, 30))
        else:
            age = rng.randint(0, 60)
        yield relationship, rng.choice(["female", "male"]), years_ago(today, age, rng)


FEMALE = names.weighted(names.FEMALE_GIVEN)
MALE = names.weighted(names.MALE_GIVEN)
FAMILY = names.weighted(names.FAMILY, exponent=0.8)


def pick(rng: random.Random, weighted: tuple[list[str], list[float]]) -> str:
    """Return one name of a (names, cumulative weights) list."""
    return rng.choices(weighted[0], cum_weights=weighted[1])[0]


def person_name(rng: random.Random, sex: str, family: str) -> tuple[str, str]:
    """Return (given name, family name): mostly the household's family name, a few Arabic."""
    if rng.random() < 0.03:
        return rng.choice(names.ARABIC_GIVEN), rng.choice(names.ARABIC_FAMILY)
    return pick(rng, FEMALE if sex == "female" else MALE), family


def expand(values: Sequence[Any], weights: Sequence[float], size: int = 1000) -> list[Any]:
    """Return a list in which each value appears in proportion to its weight (at least once).

    `pool[int(random() * len(pool))]` then draws a weighted value in one step, which is
    several times cheaper than `random.choices` for the millions of draws of a large run.
    """
    total = sum(weights)
    pool: list[Any] = []
    for value, weight in zip(values, weights, strict=True):
        pool.extend([value] * max(1, round(size * weight / total)))
    return pool


def _zipf_pool(weighted_names: tuple[list[str], list[float]], size: int) -> list[str]:
    cumulative = weighted_names[1]
    weights = [b - a for a, b in zip([0.0, *cumulative[:-1]], cumulative, strict=True)]
    return expand(weighted_names[0], weights, size)


FEMALE_POOL = _zipf_pool(FEMALE, 20_000)
MALE_POOL = _zipf_pool(MALE, 20_000)
FAMILY_POOL = _zipf_pool(FAMILY, 40_000)
RELATIVES = expand(
    ["child", "grandchild", "sibling", "parent", "other_relative", "not_related"],
    [70, 8, 8, 4, 7, 3],
)


def draw_household(
    random: Callable[[], float], today: int, size: int
) -> list[tuple[str, str, int, str, str]]:
    """Return (relationship, sex, birth day ordinal, given name, family name) of each member.

    The same household as `household_members` and `person_name` draw, made from precomputed
    pools with one `random()` per choice: mostly the head's family name, a spouse and some
    relatives with their own, a few Arabic-script names.
    """
    family = FAMILY_POOL[int(random() * len(FAMILY_POOL))]
    head_female = random() < 0.55
    head_age = 18 + int(random() * 58)
    members = [("head", head_female, head_age)]
    if size > 1 and random() < 0.7:
        spouse_age = max(18, head_age + int(random() * 17) - 8)
        members.append(("spouse", not head_female, spouse_age))
        size -= 1
    for _index in range(size - 1):
        relationship = RELATIVES[int(random() * len(RELATIVES))]
        if relationship in ("child", "grandchild"):
            age = int(random() * 18)
        elif relationship == "parent":
            age = min(100, head_age + 18 + int(random() * 13))
        else:
            age = int(random() * 61)
        members.append((relationship, random() < 0.5, age))
    drawn = []
    for relationship, female, age in members:
        born = today - int(age * 365.25) - int(random() * 365)
        if random() < 0.03:
            given = ARABIC_GIVEN[int(random() * len(ARABIC_GIVEN))]
            surname = ARABIC_FAMILY[int(random() * len(ARABIC_FAMILY))]
        else:
            pool = FEMALE_POOL if female else MALE_POOL
            given = pool[int(random() * len(pool))]
            surname = family
            if relationship in ("spouse", "not_related", "other_relative"):
                surname = FAMILY_POOL[int(random() * len(FAMILY_POOL))]
        drawn.append((relationship, "female" if female else "male", born, given, surname))
    return drawn

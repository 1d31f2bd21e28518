"""Draw a plausible household: who its members are, their ages, sexes and names."""

import datetime
import random
from collections.abc import Iterator

from benchmarks import names


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

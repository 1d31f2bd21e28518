"""The duplicate check's blocking statement: the people nearest a probe, through the key indexes.

A common name shares its phonetic key with tens of thousands of people at millions of rows;
reading all of them within the birth-date tolerance, or any of them as full model instances,
is what made the check slow. Instead each part of one UNION ALL statement walks one index on
(key, date of birth) outwards from the probe's birth date, up to a few dozen rows per side:

- both names' keys alike, either way round (person_names_key_idx);
- one name's phonetic key alike and the other name's letters one slip away (a letter added,
  dropped or replaced; person_family_letters_idx, person_given_letters_idx), born within
  NEAR_DAYS: a slip that changes the given name's key still finds the person among the
  thousands who share a common family name;
- the given or family name's key alike in either column (person_given_key_idx,
  person_family_key_idx).

Each part returns a few dozen rows at most, whatever the size of the registry, so the
statement costs the same at 10,000 or 10,000,000 people; the people of a common name that it
leaves out are those born furthest from the probe, whom the score ranks last anyway. Only the
columns the score reads are fetched.

The blind spot: a slip in each name that changes both names' phonetic keys (about 1 % of the
benchmark's misspelled probes); such a person is found only if a name key is alike another way.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, cast

from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, Value

from cases.models import DisplacedPerson

# Rows read per index walk and side of the birth date.
SAME_NAMES_ROWS_PER_SIDE = 40
LETTERS_ROWS_PER_SIDE = 30
NEAR_DAYS = 120
ROWS_PER_SIDE = 20
# The most rows one probe can read: two walks of each kind but four single-key walks, each side.
MAX_BLOCK_ROWS = 2 * 2 * (SAME_NAMES_ROWS_PER_SIDE + LETTERS_ROWS_PER_SIDE + 2 * ROWS_PER_SIDE)

SCORED_COLUMNS = ("id", "given_name", "family_name", "sex", "date_of_birth", "nationality_id")


@dataclass(frozen=True)
class ProbeKeys:
    """What the walks look for: the probe's keys and the birth-date window to search."""

    given_key: str
    family_key: str
    given_letters: list[str]  # the letters of given names one slip from the probe's
    family_letters: list[str]
    born: datetime.date
    earliest: datetime.date
    latest: datetime.date


class ScoredRow(NamedTuple):
    """The columns the score reads of a registered person, lighter than a model instance."""

    id: int
    given_name: str
    family_name: str
    sex: str
    date_of_birth: datetime.date
    nationality_id: int | None


def _walks(
    rows: QuerySet[DisplacedPerson], condition: Q, keys: ProbeKeys, limit: int
) -> list[QuerySet[DisplacedPerson]]:
    """Return the two walks outwards from the birth date along an index on (keys..., date)."""
    matching = rows.filter(condition)
    later = matching.filter(date_of_birth__gte=keys.born, date_of_birth__lte=keys.latest)
    earlier = matching.filter(date_of_birth__gte=keys.earliest, date_of_birth__lt=keys.born)
    return [
        later.order_by("date_of_birth")[:limit],
        earlier.order_by("-date_of_birth")[:limit],
    ]


def block_parts(
    queryset: QuerySet[DisplacedPerson], keys: ProbeKeys, tag: int = 0
) -> list[QuerySet[DisplacedPerson]]:
    """Return the index walks that make up a probe's block: `tag`, then SCORED_COLUMNS."""
    rows = (
        queryset.order_by()
        .annotate(probe_tag=Value(tag, output_field=IntegerField()))
        .values_list("probe_tag", *SCORED_COLUMNS)
    )
    given, family = keys.given_key, keys.family_key
    parts: list[QuerySet[DisplacedPerson]] = []
    if given and family:
        for first, second in dict.fromkeys([(given, family), (family, given)]):
            condition = Q(given_key=first, family_key=second)
            parts += _walks(rows, condition, keys, SAME_NAMES_ROWS_PER_SIDE)
    near = replace(
        keys,
        earliest=max(keys.earliest, keys.born - datetime.timedelta(days=NEAR_DAYS)),
        latest=min(keys.latest, keys.born + datetime.timedelta(days=NEAR_DAYS)),
    )
    if family and keys.given_letters:
        condition = Q(family_key=family, given_letters__in=keys.given_letters)
        parts += _walks(rows, condition, near, LETTERS_ROWS_PER_SIDE)
    if given and keys.family_letters:
        condition = Q(given_key=given, family_letters__in=keys.family_letters)
        parts += _walks(rows, condition, near, LETTERS_ROWS_PER_SIDE)
    for key in dict.fromkeys(k for k in (given, family) if k):
        for column in ("given_key", "family_key"):
            parts += _walks(rows, Q(**{column: key}), keys, ROWS_PER_SIDE)
    return parts


def nearest_rows_many(
    queryset: QuerySet[DisplacedPerson], probes: Sequence[ProbeKeys]
) -> list[list[ScoredRow]]:
    """Return each probe's block (each person once per probe) among `queryset`, by probe.

    One statement on PostgreSQL for all the probes (a household's members together). SQLite
    cannot LIMIT the parts of a compound statement, so there each part is its own query
    (development databases are small).
    """
    parts = [part for tag, keys in enumerate(probes) for part in block_parts(queryset, keys, tag)]
    blocks: list[dict[int, ScoredRow]] = [{} for _keys in probes]
    if not parts:
        return [[] for _keys in probes]
    fetched: list[tuple[Any, ...]]
    if connection.features.supports_slicing_ordering_in_compound:
        fetched = cast(list[tuple[Any, ...]], list(parts[0].union(*parts[1:], all=True)))
    else:
        fetched = [cast(tuple[Any, ...], row) for part in parts for row in part]
    for tag, *columns in fetched:
        blocks[tag].setdefault(columns[0], ScoredRow(*columns))
    return [list(block.values()) for block in blocks]

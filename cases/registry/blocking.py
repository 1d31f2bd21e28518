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

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from cases.models import DisplacedPerson

# Rows read per index walk and side of the birth date.
SAME_NAMES_ROWS_PER_SIDE = 80
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


def _any_of(values: list[str]) -> Any:
    """Return the values as one array parameter: cheap to plan whatever their number (a list
    of two hundred constants costs the planner more than the statement's execution)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::text[])", [values])
    return values


def _near(
    rows: QuerySet[DisplacedPerson], condition: Q, keys: ProbeKeys, limit: int
) -> QuerySet[DisplacedPerson]:
    """Return the people matching `condition` born within the (narrow) window, unordered.

    Each of the few keys the condition names is one short range of an index on (keys...,
    date of birth); an order by date would send the planner along a wider index instead.
    """
    window = Q(date_of_birth__gte=keys.earliest, date_of_birth__lte=keys.latest)
    return rows.filter(condition, window)[:limit]


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
        condition = Q(family_key=family, given_letters__in=_any_of(keys.given_letters))
        parts.append(_near(rows, condition, near, 2 * LETTERS_ROWS_PER_SIDE))
    if given and keys.family_letters:
        condition = Q(given_key=given, family_letters__in=_any_of(keys.family_letters))
        parts.append(_near(rows, condition, near, 2 * LETTERS_ROWS_PER_SIDE))
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
    blocks: list[dict[int, ScoredRow]] = [{} for _keys in probes]
    fetched: list[tuple[Any, ...]]
    scope = _scope_where(queryset)
    if scope is not None:
        fetched = _fetch_raw(scope, probes)
    else:
        parts = [
            part for tag, keys in enumerate(probes) for part in block_parts(queryset, keys, tag)
        ]
        if not parts:
            return [[] for _keys in probes]
        if connection.features.supports_slicing_ordering_in_compound:
            fetched = cast(list[tuple[Any, ...]], list(parts[0].union(*parts[1:], all=True)))
        else:
            fetched = [cast(tuple[Any, ...], row) for part in parts for row in part]
    for tag, *columns in fetched:
        blocks[tag].setdefault(columns[0], ScoredRow(*columns))
    return [list(block.values()) for block in blocks]


# The same walks as `block_parts`, written out: composing sixteen querysets per probe cost the
# ORM more than PostgreSQL spends running them. Used on PostgreSQL when the scope is a WHERE
# clause on the people table alone (what the access policy gives), else `block_parts`.
_COLUMNS = "%s, id, given_name, family_name, sex, date_of_birth, nationality_id"
_WALK = (
    "(SELECT {columns} FROM cases_displacedperson WHERE ({scope}) AND {condition} "
    "AND date_of_birth >= %s AND date_of_birth {upper} %s ORDER BY date_of_birth {order} "
    "LIMIT {limit})"
)
_NEAR = (
    "(SELECT {columns} FROM cases_displacedperson WHERE ({scope}) AND {condition} "
    "AND date_of_birth >= %s AND date_of_birth <= %s LIMIT {limit})"
)


def _scope_where(queryset: QuerySet[DisplacedPerson]) -> tuple[str, list[Any]] | None:
    """Return the queryset's WHERE clause as SQL on the people table, or None if it joins."""
    query = queryset.query
    joined = [alias for alias in query.alias_map if query.alias_refcount.get(alias)]
    if connection.vendor != "postgresql" or len(joined) > 1 or query.combinator:
        return None
    if query.is_sliced or query.distinct or query.extra or query.annotations:
        return None
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return "TRUE", []
    except EmptyResultSet:
        return "FALSE", []
    return sql, list(params)


def _fetch_raw(scope: tuple[str, list[Any]], probes: Sequence[ProbeKeys]) -> list[tuple[Any, ...]]:
    scope_sql, scope_params = scope
    statements: list[str] = []
    params: list[Any] = []

    def walks(tag: int, condition: str, values: list[Any], keys: ProbeKeys, limit: int) -> None:
        for upper, order, low, high in (
            ("<=", "ASC", keys.born, keys.latest),
            ("<", "DESC", keys.earliest, keys.born),
        ):
            statements.append(
                _WALK.format(
                    columns=_COLUMNS,
                    scope=scope_sql,
                    condition=condition,
                    upper=upper,
                    order=order,
                    limit=limit,
                )
            )
            params.extend([tag, *scope_params, *values, low, high])

    for tag, keys in enumerate(probes):
        given, family = keys.given_key, keys.family_key
        if given and family:
            for first, second in dict.fromkeys([(given, family), (family, given)]):
                condition = "given_key = %s AND family_key = %s"
                walks(tag, condition, [first, second], keys, SAME_NAMES_ROWS_PER_SIDE)
        earliest = max(keys.earliest, keys.born - datetime.timedelta(days=NEAR_DAYS))
        latest = min(keys.latest, keys.born + datetime.timedelta(days=NEAR_DAYS))
        for key, column, letters in (
            (family, "family_key", keys.given_letters),
            (given, "given_key", keys.family_letters),
        ):
            if key and letters:
                other = "given_letters" if column == "family_key" else "family_letters"
                condition = f"{column} = %s AND {other} IN (SELECT unnest(%s::text[]))"
                statements.append(
                    _NEAR.format(
                        columns=_COLUMNS,
                        scope=scope_sql,
                        condition=condition,
                        limit=2 * LETTERS_ROWS_PER_SIDE,
                    )
                )
                params.extend([tag, *scope_params, key, letters, earliest, latest])
        for key in dict.fromkeys(k for k in (given, family) if k):
            for column in ("given_key", "family_key"):
                walks(tag, f"{column} = %s", [key], keys, ROWS_PER_SIDE)
    if not statements:
        return []
    with connection.cursor() as cursor:
        cursor.execute("\nUNION ALL\n".join(statements), params)
        return list(cursor.fetchall())

"""The duplicate check's blocking statement: the people nearest a probe, through the key indexes.

A common name shares its phonetic key with tens of thousands of people at millions of rows;
reading all of them within the birth-date tolerance, or any of them as full model instances,
is what made the check slow. Instead each part of one UNION ALL statement walks one index on
(key, date of birth) outwards from the probe's birth date, up to a few dozen rows per side:

- both names' keys alike, either way round (person_names_key_idx);
- one name's phonetic key alike and the other name's very letters, nearest births first
  (person_family_letters_idx, person_given_letters_idx): a swap or a doubled letter
  ("Ahmad" typed "hAmad", "Mohammed" typed "Moahmmed") changes the phonetic key but not the
  letters, and among the hundreds of "Fatima Mohammed" born on the same estimated 1 January
  only the Fatimas, not the Fatumas, are read;
- one name's phonetic key alike and the other name's letters one slip away (a letter added,
  dropped or replaced; the same indexes), born within NEAR_DAYS: a slip that changes the
  given name's key still finds the person among the thousands who share a common family
  name;
- the given or family name's key alike in either column (person_given_key_idx,
  person_family_key_idx).

Each part returns a few dozen rows at most, whatever the size of the registry, so the
statement costs the same at 10,000 or 10,000,000 people; the people of a common name that it
leaves out are those born furthest from the probe, whom the score ranks last anyway. Only the
columns the score reads are fetched.

The blind spots: a slip in each name that changes both names' phonetic keys and letters (5 of
400 misspelled probes at 1,000,000 people); and a crowd of namesakes born on the very same day
(an estimated 1 January), more than a walk reads, of whom the ones read are any (they score
alike, and the check shows ten of them: benchmarks.measure.outnumbered counts these misses).
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
SAME_LETTERS_ROWS_PER_SIDE = 30
LETTERS_ROWS_PER_SIDE = 30
NEAR_DAYS = 120
ROWS_PER_SIDE = 20
# The most rows one probe can read: two walks of each kind but four single-key walks, each side.
_WALKED_PER_SIDE = SAME_NAMES_ROWS_PER_SIDE + SAME_LETTERS_ROWS_PER_SIDE + LETTERS_ROWS_PER_SIDE
MAX_BLOCK_ROWS = 2 * 2 * (_WALKED_PER_SIDE + 2 * ROWS_PER_SIDE)

# What the score reads, and the code a dismissed match is recorded (audited) by.
SCORED_COLUMNS = (
    "id",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "nationality_id",
    "registration_number",
)


@dataclass(frozen=True)
class ProbeKeys:
    """What the walks look for: the probe's keys and the birth-date window to search."""

    given_key: str
    family_key: str
    given_own: str  # the letters of the probe's given name (duplicates.letters_key)
    family_own: str
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
    registration_number: str


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
    for key, column, letters, other in (
        (family, "family_key", keys.given_own, "given_letters"),
        (given, "given_key", keys.family_own, "family_letters"),
    ):
        if key and letters:
            condition = Q(**{column: key, other: letters})
            parts += _walks(rows, condition, keys, SAME_LETTERS_ROWS_PER_SIDE)
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


# A WHERE clause on the people table and its parameters (scope_where).
Scope = tuple[str, list[Any]]


def nearest_rows_many(
    queryset: QuerySet[DisplacedPerson] | Scope, probes: Sequence[ProbeKeys]
) -> list[list[ScoredRow]]:
    """Return each probe's block (each person once per probe) among `queryset`, by probe.

    One statement on PostgreSQL for all the probes (a household's members together). SQLite
    cannot LIMIT the parts of a compound statement, so there each part is its own query
    (development databases are small). `queryset` may be given as its scope_where, compiled
    once by the caller: reads from other threads then share no ORM state.
    """
    blocks: list[dict[int, ScoredRow]] = [{} for _keys in probes]
    fetched: list[tuple[Any, ...]]
    scope = queryset if isinstance(queryset, tuple) else scope_where(queryset)
    if scope is not None:
        fetched = _fetch_raw(scope, probes)
    else:
        assert not isinstance(queryset, tuple)
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
#
# One statement whatever the number of probes: the probes are arrays unnested into rows, and
# each probe walks the indexes through a LATERAL subquery. Its text is the same for one probe
# or twenty, so PostgreSQL plans fourteen walks once, not fourteen per member of a household
# (planning a UNION ALL of seventy walks, each with the scope's subquery, cost more than
# running it). A walk a probe has no key for is switched off by a one-time filter on the
# probe's row (`probe.gk <> ''`); letter variants travel as one comma-joined string.
_COLUMNS = ", ".join(SCORED_COLUMNS)
_WALK = (
    "(SELECT {columns} FROM cases_displacedperson WHERE {when} AND ({scope}) AND {condition} "
    "AND date_of_birth >= {low} AND date_of_birth {upper} {high} "
    "ORDER BY date_of_birth {order} LIMIT {limit})"
)
_HOLDS = "EXISTS (SELECT 1 FROM cases_displacedperson WHERE {column} = probe.{key})"
_NEAR = (
    "(SELECT {columns} FROM cases_displacedperson WHERE {when} AND ({scope}) AND {condition} "
    "AND date_of_birth >= probe.near_lo AND date_of_birth <= probe.near_hi LIMIT {limit})"
)
_STATEMENT = (
    "SELECT probe.tag, found.* FROM unnest(%s::int[], %s::text[], %s::text[], %s::text[], "
    "%s::text[], %s::text[], %s::text[], %s::date[], %s::date[], %s::date[], %s::date[], "
    "%s::date[]) AS probe(tag, gk, fk, go, fo, gl, fl, born, lo, hi, near_lo, near_hi) "
    "CROSS JOIN LATERAL (\n{walks}\n) AS found WHERE {restore}"
)


def scope_where(queryset: QuerySet[DisplacedPerson]) -> Scope | None:
    """Return the queryset's WHERE clause as SQL on the people table, or None if it joins
    (or the database is not PostgreSQL). Name search's capped fetch uses it too."""
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


# The planner plans the walks once for any probe, so it cannot know that a common key has
# thousands of rows: it would read them all and sort them, where walking the index in order
# stops after LIMIT rows. Sorts and bitmap scans are switched off while the statement is
# planned (SET LOCAL, in the same query string) and back on as it starts to run (the one-time
# filter `_RESTORE`, run first even when nothing is found), so that whatever else a
# surrounding transaction runs is planned with them.
_WALK_SETTINGS = "SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off;\n"
_RESTORE = (
    "(SELECT set_config('enable_sort', 'on', true) || set_config('enable_bitmapscan', 'on', true))"
    " IS NOT NULL"
)


def _statement(scope_sql: str) -> tuple[str, int]:
    """Return the blocking statement's SQL (the walks of `block_parts`, for any probe) and
    its number of walks, each of which repeats the scope's parameters."""
    statements: list[str] = []

    def walks(when: str, condition: str, limit: int) -> None:
        for upper, order, low, high in (
            ("<=", "ASC", "probe.born", "probe.hi"),
            ("<", "DESC", "probe.lo", "probe.born"),
        ):
            statements.append(
                _WALK.format(
                    columns=_COLUMNS,
                    when=when,
                    scope=scope_sql,
                    condition=condition,
                    low=low,
                    upper=upper,
                    high=high,
                    order=order,
                    limit=limit,
                )
            )

    both = "probe.gk <> '' AND probe.fk <> ''"
    walks(both, "given_key = probe.gk AND family_key = probe.fk", SAME_NAMES_ROWS_PER_SIDE)
    swapped = f"{both} AND probe.gk <> probe.fk"
    walks(swapped, "given_key = probe.fk AND family_key = probe.gk", SAME_NAMES_ROWS_PER_SIDE)
    for key, column, own, other in (
        ("fk", "family_key", "go", "given_letters"),
        ("gk", "given_key", "fo", "family_letters"),
    ):
        walks(
            f"probe.{key} <> '' AND probe.{own} <> ''",
            f"{column} = probe.{key} AND {other} = probe.{own}",
            SAME_LETTERS_ROWS_PER_SIDE,
        )
    for key, column, letters, other in (
        ("fk", "family_key", "gl", "given_letters"),
        ("gk", "given_key", "fl", "family_letters"),
    ):
        statements.append(
            _NEAR.format(
                columns=_COLUMNS,
                # Each letter variant is one descent of the index (a hundred or more per
                # name): first one descent to see whether anybody holds the key at all, which
                # a new arrival's name often does not (1.5 to 0.2 ms a probe).
                when=f"probe.{key} <> '' AND probe.{letters} <> '' AND "
                + _HOLDS.format(column=column, key=key),
                scope=scope_sql,
                condition=(
                    f"{column} = probe.{key} "
                    f"AND {other} IN (SELECT unnest(string_to_array(probe.{letters}, ',')))"
                ),
                limit=2 * LETTERS_ROWS_PER_SIDE,
            )
        )
    for key, when in (("gk", "probe.gk <> ''"), ("fk", "probe.fk <> '' AND probe.fk <> probe.gk")):
        for column in ("given_key", "family_key"):
            walks(when, f"{column} = probe.{key}", ROWS_PER_SIDE)
    return _STATEMENT.format(walks="\nUNION ALL\n".join(statements), restore=_RESTORE), len(
        statements
    )


def _fetch_raw(scope: Scope, probes: Sequence[ProbeKeys]) -> list[tuple[Any, ...]]:
    if not probes:
        return []
    scope_sql, scope_params = scope
    near = [
        (
            max(keys.earliest, keys.born - datetime.timedelta(days=NEAR_DAYS)),
            min(keys.latest, keys.born + datetime.timedelta(days=NEAR_DAYS)),
        )
        for keys in probes
    ]
    params: list[Any] = [
        list(range(len(probes))),
        [keys.given_key for keys in probes],
        [keys.family_key for keys in probes],
        [keys.given_own for keys in probes],
        [keys.family_own for keys in probes],
        [",".join(keys.given_letters) for keys in probes],
        [",".join(keys.family_letters) for keys in probes],
        [keys.born for keys in probes],
        [keys.earliest for keys in probes],
        [keys.latest for keys in probes],
        [low for low, _high in near],
        [high for _low, high in near],
    ]
    sql, walks = _statement(scope_sql)
    params += scope_params * walks
    with connection.cursor() as cursor:
        cursor.execute(_WALK_SETTINGS + sql, params)
        return list(cursor.fetchall())

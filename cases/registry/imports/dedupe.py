"""Find the likely duplicates of an import's rows: in the registry, and within the file.

Against the registry, a row is checked as a registration is: the same blocking statement
(cases.registry.blocking, every row of a batch in one statement: each walks the key and letter
indexes outwards from its birth date), the same score and minimum, the ten best kept. The people
read are those the importing officer may see (access.people_for), as at registration. Within
the file, rows are grouped by phonetic key and compared in Python.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from cases.models import DisplacedPerson
from cases.registry.blocking import ProbeKeys, Scope, ScoredRow, nearest_rows_many
from cases.registry.duplicates import MAX_CANDIDATES, ProbeIdentity, probe_keys, score_value
from cases.registry.duplicates import phonetic_key as _phonetic_key
from cases.registry.imports.rows import CheckedRow

# A file's names repeat (a household shares its family name) and each is keyed twice here.
phonetic_key = lru_cache(maxsize=100_000)(_phonetic_key)

# Within the file: rows with one name's key alike are compared when born this close.
ONE_KEY_DAYS = 31


@dataclass(frozen=True)
class Match:
    """A likely duplicate of a row: a registered person, or an earlier row of the same file."""

    score: int
    person_id: int | None = None
    registration_number: str = ""
    row_number: int | None = None

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"score": self.score}
        if self.person_id is not None:
            found |= {"person": self.person_id, "registration_number": self.registration_number}
        if self.row_number is not None:
            found["row"] = self.row_number
        return found


class _Scored(NamedTuple):
    """What the scoring reads of a person: lighter than a model instance, by the thousand."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: datetime.date
    nationality_id: int | None


def _tolerance(estimated: bool) -> int:
    return int(
        settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
        if estimated
        else settings.DUPLICATE_DOB_TOLERANCE_YEARS
    )


def _probe(row: CheckedRow) -> ProbeIdentity:
    assert row.data is not None and row.born is not None
    data = row.data
    return ProbeIdentity(
        data.given_name,
        data.family_name,
        data.sex,
        row.born,
        row.estimated,
        data.nationality.pk if data.nationality else None,
    )


# The letters held beside each key (held_letters): of the family keys, then of the given keys.
Held = tuple[dict[str, set[str]], dict[str, set[str]]]

# Found by a loose scan of the letter indexes (key, letters, birth): one descent per distinct
# pair (the PostgreSQL wiki's skip scan, in a recursive query).
_SKIP = (
    "{name}(k, l) AS (SELECT k, (SELECT {letters} FROM cases_displacedperson WHERE {key} = k "
    "ORDER BY {letters} LIMIT 1) FROM unnest(%s::text[]) AS k UNION ALL SELECT k, (SELECT "
    "{letters} FROM cases_displacedperson WHERE {key} = k AND {letters} > l ORDER BY {letters} "
    "LIMIT 1) FROM {name} WHERE l IS NOT NULL)"
)
_HELD_LETTERS = (
    "WITH RECURSIVE "  # noqa: S608 (constants only)
    + _SKIP.format(name="f", key="family_key", letters="given_letters")
    + ", "
    + _SKIP.format(name="g", key="given_key", letters="family_letters")
    + " SELECT 'f', k, l FROM f WHERE l IS NOT NULL UNION ALL SELECT 'g', k, l FROM g"
    " WHERE l IS NOT NULL"
)


def held_letters(given_keys: set[str], family_keys: set[str]) -> Held:
    """Return the given-name letters somebody holds beside each of `family_keys`, and the
    family-name letters beside each of `given_keys` (what duplicates.probe_keys keeps).

    For a bulk check: one statement, one index descent per pair held (a few hundred under a
    common key), where walking every probe's letter variants costs one per variant. Read over
    the whole registry, it names no person and only says which walks could find anybody: the
    walks themselves read the officer's scope.
    """
    given, family = sorted(k for k in given_keys if k), sorted(k for k in family_keys if k)
    found: list[tuple[str, str, str]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_HELD_LETTERS, [family, given])
            found = cursor.fetchall()
    else:
        people = DisplacedPerson.objects.order_by().distinct()
        found = []
        for side, keys, key, letters in (
            ("f", family, "family_key", "given_letters"),
            ("g", given, "given_key", "family_letters"),
        ):
            pairs = people.filter(**{f"{key}__in": keys}).values_list(key, letters)
            found += [(side, *pair) for pair in pairs]
    beside: dict[str, dict[str, set[str]]] = {"f": {}, "g": {}}
    for side, key, letters in found:
        beside[side].setdefault(key, set()).add(letters)
    return beside["f"], beside["g"]


class RegistryProbe(NamedTuple):
    """A row to check against the registry: what the score reads and what the walks look for."""

    row: CheckedRow
    identity: ProbeIdentity
    keys: ProbeKeys


def letters_held_for(rows: Sequence[CheckedRow]) -> Held:
    """Return the letters held beside the keys of the rows' names (one statement, which a dry
    run asks once for the whole file: its batches share their common names' keys)."""
    names = [
        (phonetic_key(row.data.given_name), phonetic_key(row.data.family_name))
        for row in rows
        if row.data is not None
    ]
    return held_letters({given for given, _f in names}, {family for _g, family in names})


def registry_probes(rows: Sequence[CheckedRow], held: Held | None = None) -> list[RegistryProbe]:
    """Return the probes of the rows that passed their checks, their letter variants those
    `held` (letters_held_for the rows when not given)."""
    probes = [(row, _probe(row)) for row in rows if row.data is not None]
    if not probes:
        return []
    if held is None:
        held = letters_held_for(rows)
    return [RegistryProbe(row, probe, probe_keys(probe, held=held)) for row, probe in probes]


def fetch_blocks(
    probes: Sequence[RegistryProbe], visible: QuerySet[DisplacedPerson] | Scope
) -> list[list[ScoredRow]]:
    """Return each probe's block among the people `visible` (the blocking statement), given
    as a queryset or as its scope (blocking.scope_where, for reads from another thread)."""
    return nearest_rows_many(visible, [probe.keys for probe in probes])


def scored_matches(
    probes: Sequence[RegistryProbe], blocks: Sequence[Sequence[ScoredRow]]
) -> dict[int, list[Match]]:
    """Return, by row number, the people of each probe's block who score as likely
    duplicates, best first, the ten best."""
    minimum = settings.DUPLICATE_MIN_SCORE
    found: dict[int, list[Match]] = {}
    for (row, probe, _keys), block in zip(probes, blocks, strict=True):
        tolerance = _tolerance(row.estimated)
        matches = [
            Match(value, person_id=person.id, registration_number=person.registration_number)
            for person in block
            if (value := score_value(probe, person, tolerance)) >= minimum
        ]
        if matches:
            ranked = sorted(matches, key=lambda m: (-m.score, -(m.person_id or 0)))
            found[row.row_number] = ranked[:MAX_CANDIDATES]
    return found


def file_matches(rows: Sequence[CheckedRow]) -> dict[int, list[Match]]:
    """Return, by row number, the earlier rows of the same file each row may duplicate."""
    by_key: dict[str, list[tuple[CheckedRow, ProbeIdentity, str, str]]] = defaultdict(list)
    for row in rows:
        if row.data is None:
            continue
        probe = _probe(row)
        keys = (phonetic_key(probe.given_name), phonetic_key(probe.family_name))
        for key in {k for k in keys if k}:
            by_key[key].append((row, probe, *keys))
    minimum = settings.DUPLICATE_MIN_SCORE
    found: dict[int, dict[int, Match]] = defaultdict(dict)
    for group in by_key.values():
        group.sort(key=lambda entry: entry[1].date_of_birth)
        for position, (row, probe, given, family) in enumerate(group):
            tolerance = _tolerance(row.estimated)
            for other, other_probe, other_given, other_family in group[position + 1 :]:
                days = (other_probe.date_of_birth - probe.date_of_birth).days
                if days > 366 * max(tolerance, _tolerance(other.estimated)):
                    break
                both = {given, family} == {other_given, other_family}
                if not both and days > ONE_KEY_DAYS:
                    continue
                first, later = sorted((row, other), key=lambda r: r.row_number)
                if first.household_ref == later.household_ref:
                    continue  # twins and namesakes of one household are not duplicates
                earlier = _probe(first)
                person = _Scored(
                    earlier.given_name,
                    earlier.family_name,
                    earlier.sex,
                    earlier.date_of_birth,
                    earlier.nationality_id,
                )
                scored = score_value(_probe(later), cast(DisplacedPerson, person), tolerance)
                if scored >= minimum:
                    found[later.row_number][first.row_number] = Match(
                        scored, row_number=first.row_number
                    )
    return {
        number: sorted(matches.values(), key=lambda m: -m.score)
        for number, matches in found.items()
    }

"""Find the likely duplicates of an import's rows: in the registry, and within the file.

The scoring is the registration check's own (cases.registry.duplicates.score); the blocking is
set-based, one statement per batch of rows instead of several per person: each row's block is
read through the (key, date of birth) indexes by a LATERAL join over the batch, the people with
both names' phonetic keys alike (either way round) within the date-of-birth tolerance, and the
people with one key alike born within a month of the row, capped per row. The people read are
those the importing officer may see (access.people_for), as at registration.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, cast

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from cases.models import DisplacedPerson
from cases.registry.duplicates import ProbeIdentity, score_value
from cases.registry.duplicates import phonetic_key as _phonetic_key
from cases.registry.imports.rows import CheckedRow
from protection.dates import years_before

# A file's names repeat (a household shares its family name) and each is keyed twice here.
phonetic_key = lru_cache(maxsize=100_000)(_phonetic_key)

# Rows read per probe at most: both names alike first, then one name alike at a close birth date.
BLOCK_PER_PROBE = 50
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


_COLUMNS = (
    "c.id, c.registration_number, c.given_name, c.family_name, c.sex, c.date_of_birth, "
    "c.nationality_id"
)
_BLOCK_SQL = """
SELECT probe.idx, p.id, p.registration_number, p.given_name, p.family_name, p.sex,
       p.date_of_birth, p.nationality_id
FROM (VALUES {values}) AS probe(idx, gk, fk, lo, hi, near_lo, near_hi)
CROSS JOIN LATERAL (
    SELECT * FROM (
        SELECT {columns} FROM cases_displacedperson c
        WHERE c.given_key = probe.gk AND c.family_key = probe.fk
          AND c.date_of_birth BETWEEN probe.lo AND probe.hi
        UNION
        SELECT {columns} FROM cases_displacedperson c
        WHERE c.given_key = probe.fk AND c.family_key = probe.gk
          AND c.date_of_birth BETWEEN probe.lo AND probe.hi
        UNION
        SELECT {columns} FROM cases_displacedperson c
        WHERE c.given_key IN (probe.gk, probe.fk)
          AND c.date_of_birth BETWEEN probe.near_lo AND probe.near_hi
        UNION
        SELECT {columns} FROM cases_displacedperson c
        WHERE c.family_key IN (probe.gk, probe.fk)
          AND c.date_of_birth BETWEEN probe.near_lo AND probe.near_hi
    ) AS block
    WHERE block.id IN ({scope})
    LIMIT {cap}
) AS p
"""


def registry_matches(
    rows: Sequence[CheckedRow], visible: QuerySet[DisplacedPerson]
) -> dict[int, list[Match]]:
    """Return, by row number, the registered people the rows may duplicate, best first."""
    probes = [(row, _probe(row)) for row in rows if row.data is not None]
    if not probes:
        return {}
    values: list[str] = []
    params: list[Any] = []
    for index, (row, probe) in enumerate(probes):
        given, family = phonetic_key(probe.given_name), phonetic_key(probe.family_name)
        tolerance = _tolerance(row.estimated)
        near = datetime.timedelta(days=ONE_KEY_DAYS)
        born = probe.date_of_birth
        values.append("(%s, %s, %s, %s::date, %s::date, %s::date, %s::date)")
        params += [
            index,
            given or "\x00",
            family or "\x00",
            years_before(born, tolerance),
            years_before(born, -tolerance),
            born - near,
            born + near,
        ]
    scope_sql, scope_params = visible.order_by().values("pk").query.sql_with_params()
    statement = _BLOCK_SQL.format(
        values=", ".join(values), scope=scope_sql, cap=BLOCK_PER_PROBE, columns=_COLUMNS
    )
    found: dict[int, list[Match]] = {}
    minimum = settings.DUPLICATE_MIN_SCORE
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *scope_params])
        by_probe: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for line in cursor.fetchall():
            by_probe[line[0]].append(line)
    for index, lines in by_probe.items():
        row, probe = probes[index]
        tolerance = _tolerance(row.estimated)
        matches = []
        for _idx, pk, number, given, family, sex, born, nationality in lines:
            person = _Scored(given, family, sex, born, nationality)
            scored = score_value(probe, cast(DisplacedPerson, person), tolerance)
            if scored >= minimum:
                matches.append(Match(scored, person_id=pk, registration_number=str(number)))
        if matches:
            found[row.row_number] = sorted(matches, key=lambda m: -m.score)[:10]
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

"""Catch a person who is registered already: name normalisation, phonetic keys and scoring.

Blocking keeps this fast at millions of rows: only people who share a phonetic key of the given
or family name (either way round) and whose date of birth lies within a tolerance are read,
through indexes on (key, date of birth); the candidates are then scored in Python. When a
common name gives more rows than are scored, the closest rows (both names alike, birth dates
nearest) are read first, still through those indexes.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import jellyfish
from django.conf import settings
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from cases.models import DisplacedPerson, Sex
from protection.dates import years_before

MAX_BLOCK_ROWS = 500
MAX_CANDIDATES = 10
_NON_LETTERS = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """Return text transliterated to Latin, lower-cased, without accents or punctuation."""
    plain = unidecode(text or "").lower().replace("-", " ").replace("'", "")
    return " ".join(_NON_LETTERS.sub(" ", plain).split())


def phonetic_key(name: str) -> str:
    """Return the Metaphone key of a whole name ('Abdel Rahman' and 'Abdelrahman' agree)."""
    joined = normalise(name).replace(" ", "")
    if not joined:
        return ""
    return jellyfish.metaphone(joined).upper()[:40]


def token_keys(text: str) -> list[str]:
    """Return the Metaphone key of each word of a search string."""
    return [key for key in (phonetic_key(token) for token in normalise(text).split()) if key]


def sound_key(word: str) -> str:
    """Return the NYSIIS key of one word of a name, or "" for a word under three letters.

    Metaphone (the whole-name keys that duplicate blocking reads) keeps a doubled consonant and
    an 'h' after a 'd': 'Rebeca' and 'Rebecca', 'Dheng' and 'Deng' get different keys. NYSIIS
    folds vowels, doubled letters and those spellings together: RABAC, DANG, NYAC ('Nyock',
    'Nyok'), GATCAT ('Gatkouth', 'Gatkuoth').
    """
    plain = normalise(word).replace(" ", "")
    return jellyfish.nysiis(plain) if len(plain) >= 3 else ""


def sound_keys(text: str) -> str:
    """Return the sound key of every word of the names, space-separated and space-framed.

    Search looks for " KEY " in this column, so each word of a name is found by a misspelling
    of it wherever it stands (a second family name, other names), through a trigram index.
    """
    keys = sorted({key for key in (sound_key(word) for word in normalise(text).split()) if key})
    return f" {' '.join(keys)} "[:400] if keys else ""


# The columns derived from a person's names, which follow every change of the names.
SEARCH_KEY_FIELDS = ("name_search", "given_key", "family_key", "name_keys")


@dataclass(frozen=True)
class SearchKeys:
    name_search: str
    given_key: str
    family_key: str
    name_keys: str

    def as_fields(self) -> dict[str, str]:
        """Return the person's derived columns, by field name, to store with the names."""
        return {name: getattr(self, name) for name in SEARCH_KEY_FIELDS}


def search_keys(given_name: str, family_name: str, other_names: str = "") -> SearchKeys:
    """Return the derived columns that search and duplicate detection read."""
    names = f"{given_name} {family_name} {other_names}"
    return SearchKeys(
        name_search=normalise(names)[:400],
        given_key=phonetic_key(given_name),
        family_key=phonetic_key(family_name),
        name_keys=sound_keys(names),
    )


@dataclass(frozen=True)
class ProbeIdentity:
    """The identity a new registration claims, to compare against the registry."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: datetime.date
    date_of_birth_estimated: bool = False
    nationality_id: int | None = None


@dataclass
class Candidate:
    """A registered person who may be the same as the probe, with a score out of 100."""

    person: DisplacedPerson
    score: int
    reasons: list[str] = field(default_factory=list)


def _name_similarity(probe: ProbeIdentity, person: DisplacedPerson) -> float:
    given, family = normalise(probe.given_name), normalise(probe.family_name)
    other_given, other_family = normalise(person.given_name), normalise(person.family_name)
    straight = (
        jellyfish.jaro_winkler_similarity(given, other_given)
        + jellyfish.jaro_winkler_similarity(family, other_family)
    ) / 2
    swapped = (
        jellyfish.jaro_winkler_similarity(given, other_family)
        + jellyfish.jaro_winkler_similarity(family, other_given)
    ) / 2
    return max(straight, swapped * 0.95)


def _parts(
    probe: ProbeIdentity, person: DisplacedPerson, tolerance_years: int
) -> tuple[float, int, float, float]:
    """Return the name similarity, the days between birth dates, and the sex and nationality
    parts of the score."""
    names = _name_similarity(probe, person)
    days_apart = abs((probe.date_of_birth - person.date_of_birth).days)
    if probe.sex == person.sex and probe.sex != Sex.UNKNOWN:
        sex_part = 1.0
    elif Sex.UNKNOWN in (probe.sex, person.sex):
        sex_part = 0.5
    else:
        sex_part = 0.0
    if probe.nationality_id is None or person.nationality_id is None:
        nationality_part = 0.5
    else:
        nationality_part = 1.0 if probe.nationality_id == person.nationality_id else 0.0
    return names, days_apart, sex_part, nationality_part


def score_value(probe: ProbeIdentity, person: DisplacedPerson, tolerance_years: int) -> int:
    """Return the score of `score` alone, without its reasons (bulk checks score thousands)."""
    names, days_apart, sex_part, nationality_part = _parts(probe, person, tolerance_years)
    if days_apart == 0:
        dob_part = 1.0
    else:
        dob_part = max(0.0, 1.0 - days_apart / (365.25 * max(tolerance_years, 1) + 1)) * 0.8
    return round(60 * names + 25 * dob_part + 10 * sex_part + 5 * nationality_part)


def score(probe: ProbeIdentity, person: DisplacedPerson, tolerance_years: int) -> Candidate:
    """Score how likely `person` is the probe: names 60, birth date 25, sex 10, nationality 5."""
    names, days_apart, sex_part, _nationality = _parts(probe, person, tolerance_years)
    reasons: list[str] = []
    if names >= 0.97:
        reasons.append(str(_("Same name")))
    elif names >= 0.85:
        reasons.append(str(_("Similar name")))
    else:
        reasons.append(str(_("Name sounds alike")))
    if days_apart == 0:
        reasons.append(str(_("Same date of birth")))
    else:
        reasons.append(str(_("Date of birth close")))
    if sex_part == 0.0:
        reasons.append(str(_("Different sex")))
    return Candidate(
        person=person, score=score_value(probe, person, tolerance_years), reasons=reasons
    )


def _born_within(born: datetime.date, *, years: int = 0, days: int = 0) -> Q:
    """Match dates of birth within `years` or `days` either side of `born`."""
    if years:
        return Q(date_of_birth__range=(years_before(born, years), years_before(born, -years)))
    margin = datetime.timedelta(days=days)
    return Q(date_of_birth__range=(born - margin, born + margin))


def _closest_first(
    base: QuerySet[DisplacedPerson],
    probe: ProbeIdentity,
    given_key: str,
    family_key: str,
    blocking: Q,
    tolerance: int,
    first_read: list[DisplacedPerson],
) -> list[DisplacedPerson]:
    """Fill a capped block from the tightest conditions to the loosest, each through an index.

    Both names alike before one name alike, and the same birth date before near ones: every
    stage is a range on the (key, date of birth) indexes, so none reads the whole block.
    """
    born = probe.date_of_birth
    windows = [_born_within(born, days=d) for d in (0, 7, 31)]
    if tolerance > 1:
        windows.append(_born_within(born, years=1))
    windows.append(_born_within(born, years=tolerance))
    same_names = Q(pk__in=[])
    if given_key and family_key:
        same_names = Q(given_key=given_key, family_key=family_key) | Q(
            given_key=family_key, family_key=given_key
        )
    stages = [
        same_names & windows[0],
        same_names & windows[2],
        blocking & windows[0],
        same_names & windows[-1],
        blocking & windows[1],
        blocking & windows[2],
        *[blocking & window for window in windows[3:-1]],
    ]
    chosen: dict[int, DisplacedPerson] = {}
    for condition in stages:
        room = MAX_BLOCK_ROWS - len(chosen)
        if room <= 0:
            break
        for person in base.filter(condition).exclude(pk__in=list(chosen))[:room]:
            chosen[person.pk] = person
    for person in first_read:  # the rest of the room: any others of the block
        if len(chosen) >= MAX_BLOCK_ROWS:
            break
        chosen.setdefault(person.pk, person)
    return list(chosen.values())


def find_candidates(
    *,
    queryset: QuerySet[DisplacedPerson],
    probe: ProbeIdentity,
    exclude_ids: Iterable[int] = (),
) -> list[Candidate]:
    """Return the likely matches for the probe among `queryset`, best first."""
    given_key, family_key = phonetic_key(probe.given_name), phonetic_key(probe.family_name)
    keys = {key for key in (given_key, family_key) if key}
    if not keys:
        return []
    estimated = probe.date_of_birth_estimated
    tolerance = (
        settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
        if estimated
        else settings.DUPLICATE_DOB_TOLERANCE_YEARS
    )
    blocking = Q()
    for key in keys:
        blocking |= Q(given_key=key) | Q(family_key=key)
    # No ORDER BY: with one, PostgreSQL walks the primary key backwards filtering every row
    # until it has enough, tens of milliseconds at a million people, instead of reading the
    # (key, date of birth) indexes. Which rows of a block come first is decided below.
    base = queryset.exclude(pk__in=list(exclude_ids)).order_by()
    block = list(
        base.filter(blocking, _born_within(probe.date_of_birth, years=tolerance))[
            : MAX_BLOCK_ROWS + 1
        ]
    )
    if len(block) > MAX_BLOCK_ROWS:
        # A common name: the block holds more people than we score. Read the closest ones
        # first (both names alike, then birth dates near the probe's) rather than whichever
        # rows come first, which would often miss the registration of the same person.
        block = _closest_first(base, probe, given_key, family_key, blocking, tolerance, block)
    rows = block[:MAX_BLOCK_ROWS]
    scored = [score(probe, person, tolerance) for person in rows]
    minimum = settings.DUPLICATE_MIN_SCORE
    matches = sorted(
        (c for c in scored if c.score >= minimum), key=lambda c: (-c.score, -c.person.pk)
    )
    best = matches[:MAX_CANDIDATES]
    # Site and household only for the matches shown, not for every row scored.
    prefetch_related_objects([c.person for c in best], "site", "household")
    return best

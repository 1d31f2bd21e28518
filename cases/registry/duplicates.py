"""Catch a person who is registered already: name normalisation, phonetic keys and scoring.

Blocking keeps this fast at millions of rows. One statement reads, through the indexes on
(key, date of birth), the people who share a phonetic key of the given or family name (either
way round) born nearest the probe's date within a tolerance: for each key and each side of the
date, the nearest rows in date order, so that a common name never reads its whole block and
the closest people always come first. Only the columns the score reads are fetched; the rows
are scored in Python (the same score the import's dedupe uses), and only the few matches shown
are read in full. See cases.registry.blocking for the statement.
"""

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import jellyfish
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from unidecode import unidecode

from cases.models import DisplacedPerson, Sex
from cases.registry import blocking
from cases.registry.blocking import ProbeKeys, ScoredRow, nearest_rows_many
from cases.registry.slips import held_within_one_slip, letters_within_one_slip
from protection.dates import years_before

MAX_CANDIDATES = 10
# The most rows the blocking statement reads for one probe.
MAX_BLOCK_ROWS = blocking.MAX_BLOCK_ROWS
_NON_LETTERS = re.compile(r"[^a-z0-9 ]+")
# What unidecode writes for letters that have no Latin one, and how a name reads them: the
# hamza (an apostrophe) and the ʿayn of Arabic, Hebrew and Ge'ez (a backtick) stand inside a
# word and are dropped, as an apostrophe typed in a Latin name is; the ta marbuta of Arabic
# and the schwa (an at sign) are read "a". A mark read as a space would cut "إسماعيل" into
# "sm yl", two words too short to index or to tell apart from other names.
_INSIDE_WORD = str.maketrans({"'": None, "`": None, "@": "a", "-": " "})


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """Return text transliterated to Latin, lower-cased, without accents or punctuation."""
    plain = unidecode(text or "").lower().translate(_INSIDE_WORD)
    return " ".join(_NON_LETTERS.sub(" ", plain).split())


@lru_cache(maxsize=100_000)
def phonetic_key(name: str) -> str:
    """Return the Metaphone key of a whole name ('Abdel Rahman' and 'Abdelrahman' agree)."""
    joined = normalise(name).replace(" ", "")
    if not joined:
        return ""
    return jellyfish.metaphone(joined).upper()[:40]


def token_keys(text: str) -> list[str]:
    """Return the Metaphone key of each word of a search string."""
    return [key for key in (phonetic_key(token) for token in normalise(text).split()) if key]


@lru_cache(maxsize=100_000)
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


def letters_key(name: str) -> str:
    """Return the letters of a name, each once, in order: 'Fatima', 'Ftaima', 'Fattima' agree.

    The phonetic key misses the slips that move a consonant ('Ahmed', 'Ahemd') or drop one;
    this key misses vowel slips ('Fatima', 'Fatuma'), which the phonetic key ignores. A name
    typed with one slip keeps at least one of the two keys far more often than either alone,
    so the blocking also walks (one name's phonetic key, the other name's letters).
    """
    return "".join(sorted(set(normalise(name).replace(" ", ""))))[:40]


# The columns derived from a person's names, which follow every change of the names.
SEARCH_KEY_FIELDS = (
    "name_search",
    "given_key",
    "family_key",
    "name_keys",
    "given_letters",
    "family_letters",
)


@dataclass(frozen=True)
class SearchKeys:
    name_search: str
    given_key: str
    family_key: str
    name_keys: str
    given_letters: str
    family_letters: str

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
        given_letters=letters_key(given_name),
        family_letters=letters_key(family_name),
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


class Identity(Protocol):
    """What the score reads of a registered person: a model instance or a fetched row."""

    @property
    def given_name(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def sex(self) -> str: ...
    @property
    def date_of_birth(self) -> datetime.date: ...
    @property
    def nationality_id(self) -> int | None: ...


@dataclass
class Candidate:
    """A registered person who may be the same as the probe, with a score out of 100."""

    person: DisplacedPerson
    score: int
    reasons: list[str] = field(default_factory=list)


def _name_similarity(probe: ProbeIdentity, person: Identity) -> float:
    return _names_alike(probe.given_name, probe.family_name, person.given_name, person.family_name)


# Cached: a registry's common names meet again and again (a bulk check scores millions of
# pairs, most of them the same few hundred names).
@lru_cache(maxsize=65_536)
def _names_alike(given: str, family: str, other_given: str, other_family: str) -> float:
    given, family = normalise(given), normalise(family)
    other_given, other_family = normalise(other_given), normalise(other_family)
    straight = (
        jellyfish.jaro_winkler_similarity(given, other_given)
        + jellyfish.jaro_winkler_similarity(family, other_family)
    ) / 2
    swapped = (
        jellyfish.jaro_winkler_similarity(given, other_family)
        + jellyfish.jaro_winkler_similarity(family, other_given)
    ) / 2
    return max(straight, swapped * 0.95)


def _parts(probe: ProbeIdentity, person: Identity) -> tuple[float, int, float, float]:
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


def _total(
    names: float, days_apart: int, sex_part: float, nationality_part: float, tolerance_years: int
) -> int:
    if days_apart == 0:
        dob_part = 1.0
    else:
        dob_part = max(0.0, 1.0 - days_apart / (365.25 * max(tolerance_years, 1) + 1)) * 0.8
    return round(60 * names + 25 * dob_part + 10 * sex_part + 5 * nationality_part)


def score_value(probe: ProbeIdentity, person: Identity, tolerance_years: int) -> int:
    """Return the score of `score` alone, without its reasons (bulk checks score thousands)."""
    return _total(*_parts(probe, person), tolerance_years)


def explain(probe: ProbeIdentity, person: Identity) -> list[str]:
    """Return why `person` matches the probe: how the names, birth date and sex compare."""
    names, days_apart, sex_part, _nationality = _parts(probe, person)
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
    return reasons


def score(probe: ProbeIdentity, person: DisplacedPerson, tolerance_years: int) -> Candidate:
    """Score how likely `person` is the probe: names 60, birth date 25, sex 10, nationality 5."""
    return Candidate(
        person=person,
        score=score_value(probe, person, tolerance_years),
        reasons=explain(probe, person),
    )


def tolerance_for(probe: ProbeIdentity) -> int:
    """Return the years either side of the probe's birth date within which people are read."""
    return int(
        settings.DUPLICATE_ESTIMATED_DOB_TOLERANCE_YEARS
        if probe.date_of_birth_estimated
        else settings.DUPLICATE_DOB_TOLERANCE_YEARS
    )


def probe_keys(
    probe: ProbeIdentity,
    *,
    held: tuple[Mapping[str, AbstractSet[str]], Mapping[str, AbstractSet[str]]] | None = None,
) -> ProbeKeys:
    """Return what the blocking walks look for, for this probe.

    `held` (a bulk check's: the given-name letters somebody holds beside each family key, and
    the family-name letters beside each given key), when known, keeps of a name's letter
    variants (a hundred to three hundred) only those somebody holds beside the other name's
    key: each is one descent of an index, and the walk of any other would find nobody.
    """
    tolerance = tolerance_for(probe)
    given_key, family_key = phonetic_key(probe.given_name), phonetic_key(probe.family_name)
    given, family = letters_key(probe.given_name), letters_key(probe.family_name)
    if held is None:
        given_letters = letters_within_one_slip(given)  # walked with the family key
        family_letters = letters_within_one_slip(family)  # walked with the given key
    else:
        given_letters = held_within_one_slip(given, held[0].get(family_key, frozenset()))
        family_letters = held_within_one_slip(family, held[1].get(given_key, frozenset()))
    return ProbeKeys(
        given_key=given_key,
        family_key=family_key,
        given_own=given,
        family_own=family,
        given_letters=given_letters,
        family_letters=family_letters,
        born=probe.date_of_birth,
        earliest=years_before(probe.date_of_birth, tolerance),
        latest=years_before(probe.date_of_birth, -tolerance),
    )


def find_candidates_many(
    *,
    queryset: QuerySet[DisplacedPerson],
    probes: Sequence[ProbeIdentity],
    exclude_ids: Iterable[int] = (),
    shown: bool = True,
) -> list[list[Candidate]]:
    """Return the likely matches of each probe among `queryset`, best first, by probe.

    Two statements whatever the number of probes (a household's members are checked together):
    the blocks' scored columns (cases.registry.blocking), then the matches shown, in full with
    their site and household. With `shown=False` (every match is to be dismissed, not shown)
    the second is left out: each match's person has its id and registration number, and reads
    any other field from the database when asked; nobody reads the reasons, which are left out.
    """
    scope = queryset.exclude(pk__in=list(exclude_ids))
    blocks = nearest_rows_many(scope, [probe_keys(probe) for probe in probes])
    minimum = settings.DUPLICATE_MIN_SCORE
    chosen: list[list[tuple[int, ScoredRow]]] = []
    for probe, rows in zip(probes, blocks, strict=True):
        tolerance = tolerance_for(probe)
        scored = ((score_value(probe, row, tolerance), row) for row in rows)
        chosen.append(
            sorted(
                ((value, row) for value, row in scored if value >= minimum),
                key=lambda pair: (-pair[0], -pair[1].id),
            )[:MAX_CANDIDATES]
        )
    wanted = {row.id for best in chosen for _value, row in best}
    if not wanted:
        return [[] for _probe in probes]
    if shown:
        people = queryset.select_related("site", "household").in_bulk(wanted)
    else:
        people = {
            row.id: DisplacedPerson.from_db(
                queryset.db, ["id", "registration_number"], [row.id, row.registration_number]
            )
            for best in chosen
            for _value, row in best
        }
    return [
        [
            Candidate(
                person=people[row.id],
                score=value,
                reasons=explain(probe, row) if shown else [],
            )
            for value, row in best
            if row.id in people
        ]
        for probe, best in zip(probes, chosen, strict=True)
    ]


def find_candidates(
    *,
    queryset: QuerySet[DisplacedPerson],
    probe: ProbeIdentity,
    exclude_ids: Iterable[int] = (),
) -> list[Candidate]:
    """Return the likely matches for the probe among `queryset`, best first."""
    return find_candidates_many(queryset=queryset, probes=[probe], exclude_ids=exclude_ids)[0]

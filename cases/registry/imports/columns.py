"""The columns an import file may have, their headers in every language, and reading a cell.

A column is recognised by its field name (`given_name`) or by its header in English, French
or Arabic, so that the template in any language and a file that reuses its headers map
themselves; any other header is mapped by the officer once, and remembered for the agency.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import ConsentGivenBy, ConsentScope, RegistryImport, Relationship, Sex


@dataclass(frozen=True)
class Column:
    """One column of the template: the field it fills, its header, how it is read."""

    name: str
    label: Promise
    kind: str = "text"  # text, date, integer, choice, reference, codes
    required: bool = False
    choices: type[TextChoices] | None = None
    help: Promise | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "household_ref",
        _("Household number in the file"),
        required=True,
        help=_("Rows with the same number form one household."),
    ),
    Column(
        "relationship_to_head",
        _("Relationship to head"),
        "choice",
        required=True,
        choices=Relationship,
    ),
    Column("given_name", _("Given name"), required=True),
    Column("family_name", _("Family name"), required=True),
    Column("other_names", _("Other names / aliases")),
    Column("sex", _("Sex"), "choice", required=True, choices=Sex),
    Column("date_of_birth", _("Date of birth"), "date", help=_("YYYY-MM-DD or DD/MM/YYYY")),
    Column("estimated_age", _("Estimated age"), "integer", help=_("When the date is unknown.")),
    Column("nationality", _("Nationality"), "reference"),
    Column("languages", _("Languages spoken")),
    Column("displacement_status", _("Displacement status"), "reference", required=True),
    Column("origin_country", _("Country of origin"), "reference"),
    Column("origin_location", _("Place of origin")),
    Column("displaced_on", _("Date of displacement"), "date"),
    Column("arrived_on", _("Date of arrival at site"), "date"),
    Column("phone", _("Phone")),
    Column("documents", _("Documents held"), "codes", help=_("Codes separated by ;")),
    Column("specific_needs", _("Specific needs"), "codes", help=_("Codes separated by ;")),
    Column("consent_date", _("Consent to registration: date"), "date", required=True),
    Column(
        "consent_given_by", _("Consent given by"), "choice", required=True, choices=ConsentGivenBy
    ),
    Column("consent_scope", _("Consent scope"), "choice", choices=ConsentScope),
    Column("address", _("Shelter / plot")),
    Column("registered_on", _("Registration date"), "date"),
)
BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
# A person needs one of these two; neither is required alone.
BIRTH_COLUMNS = ("date_of_birth", "estimated_age")
_SPACES = re.compile(r"\s+")


def header_key(text: object) -> str:
    """Return a header as compared: case and spacing ignored."""
    return _SPACES.sub(" ", str(text or "")).strip().casefold()


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@lru_cache(maxsize=8)
def _known_headers(languages: tuple[str, ...]) -> dict[str, str]:
    known: dict[str, str] = {}
    for column in COLUMNS:
        known[header_key(column.name)] = column.name
        for code in languages:
            with translation.override(code):
                known[header_key(column.label)] = column.name
    return known


def guess_mapping(headers: Iterable[str], remembered: dict[str, str]) -> dict[str, str]:
    """Map each header to a field: what the agency chose before, else a known header."""
    known = _known_headers(tuple(language_codes()))
    mapping: dict[str, str] = {}
    for header in headers:
        key = header_key(header)
        field = remembered.get(key, known.get(key, ""))
        if field and field not in mapping.values():
            mapping[header] = field
        else:
            mapping[header] = ""
    return mapping


def missing_columns(mapping: dict[str, str]) -> list[str]:
    """Return the required fields that no column of the file fills."""
    mapped = set(mapping.values())
    missing = [name for name in REQUIRED if name not in mapped]
    if not mapped & set(BIRTH_COLUMNS):
        missing.append("date_of_birth")
    return missing


@lru_cache(maxsize=32)
def choice_lookup(choices: type[TextChoices], languages: tuple[str, ...]) -> dict[str, str]:
    """Return every accepted spelling of a choice (its code, its label in each language)."""
    lookup: dict[str, str] = {}
    for value in choices.values:
        lookup[header_key(value)] = value
    for code in languages:
        with translation.override(code):
            for value, label in choices.choices:
                lookup[header_key(label)] = value
    return lookup


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")


def parse_date(value: object) -> datetime.date:
    """Read a date cell: a spreadsheet date, or text in one of the accepted formats."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    if " " in text:  # "2024-05-01 00:00:00" from a spreadsheet that stored text
        text = text.split(" ", 1)[0]
    for pattern in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    raise ValueError(text)


def cell_text(value: object) -> str:
    """Return a cell as text: integers stored as floats lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def cells_by_field(job: RegistryImport) -> dict[str, int]:
    """Return, for each mapped field, the position of its column in a stored row."""
    position = {header: index for index, header in enumerate(job.headers)}
    return {field: position[header] for header, field in job.mapping.items() if field}


def row_cells(values: list[str], columns: dict[str, int]) -> dict[str, str]:
    """Return a stored row's cells by field name."""
    width = len(values)
    return {
        field: values[index].strip() if index < width else "" for field, index in columns.items()
    }

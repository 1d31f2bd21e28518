"""Turn the rows of an import into registrations, with the registration service's own rules.

Each cell is read into the PersonData that the registration form builds, and the person and
household are then checked by cases.registry.records (resolve_birth_date, validate_person,
validate_household) and by the model fields' own validators, exactly as household_register
checks them. Every problem is kept under its column, so that the report names row and column.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import CharField, Field
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from camps.models import Country
from cases.models import (
    DisplacedPerson,
    DisplacementStatus,
    DocumentType,
    Relationship,
    SpecificNeed,
)
from cases.registry.imports.columns import (
    BY_NAME,
    choice_lookup,
    header_key,
    language_codes,
    parse_date,
)
from cases.registry.records import (
    PersonData,
    resolve_birth_date,
    validate_household,
    validate_person,
)

# Text fields checked against the model's own field (length, blank).
_TEXT_FIELDS = ("given_name", "family_name", "other_names", "languages", "origin_location", "phone")
_HOUSEHOLD_KEY = "household_ref"


@dataclass
class References:
    """The reference lists, read once per import, by code."""

    statuses: dict[str, DisplacementStatus]
    countries: dict[str, Country]
    needs: dict[str, SpecificNeed]
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    # The code each (column, text) of the file read as: a file repeats a few texts by the
    # thousand, and comparing a text with the lists is most of the cost of reading a row.
    read: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "References":
        return cls(
            statuses={s.code.casefold(): s for s in DisplacementStatus.objects.all()},
            countries={c.code.casefold(): c for c in Country.objects.all()}
            | {c.alpha2.casefold(): c for c in Country.objects.all()},
            needs={
                n.code.casefold(): n
                for n in SpecificNeed.objects.filter(active=True).select_related("category")
            },
            choices={
                name: choice_lookup(column.choices, tuple(language_codes()))
                for name, column in BY_NAME.items()
                if column.choices is not None
            },
        )


@dataclass
class CheckedRow:
    """One row after the checks: its data when valid, else its errors by field."""

    row_number: int
    household_ref: str
    data: PersonData | None = None
    born: datetime.date | None = None
    estimated: bool = False
    address: str = ""
    registered_on: datetime.date | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


def _choice(refs: References, column: str, text: str) -> str:
    try:
        value = refs.read[column, text]
    except KeyError:
        value = refs.read[column, text] = refs.choices[column].get(header_key(text))
    if value is None:
        raise ValueError
    return value


def read_row(
    row_number: int, cells: dict[str, str], refs: References, today: datetime.date
) -> CheckedRow:
    """Read one row's cells (by field name) and check the person they describe."""
    checked = CheckedRow(row_number=row_number, household_ref=cells.get(_HOUSEHOLD_KEY, ""))
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not checked.household_ref:
        fail(_HOUSEHOLD_KEY, _("Give the household's number in the file."))
    for name in ("relationship_to_head", "sex", "consent_given_by", "consent_scope"):
        text = cells.get(name, "")
        if not text:
            if name != "consent_scope":
                fail(name, _("This field is required."))
            continue
        try:
            values[name] = _choice(refs, name, text)
        except ValueError:
            fail(name, _("%(value)s is not one of the codes of this list.") % {"value": text})
    for name in ("date_of_birth", "displaced_on", "arrived_on", "consent_date", "registered_on"):
        text = cells.get(name, "")
        if not text:
            if name == "consent_date":
                fail(name, _("This field is required."))
            continue
        try:
            values[name] = parse_date(text)
        except ValueError:
            fail(name, _("Write the date as YYYY-MM-DD or DD/MM/YYYY."))
    age = cells.get("estimated_age", "")
    if age:
        try:
            values["estimated_age"] = int(float(age))
        except ValueError:
            fail("estimated_age", _("Write the age as a whole number."))
    status_text = cells.get("displacement_status", "")
    if not status_text:
        fail("displacement_status", _("This field is required."))
    elif (status := refs.statuses.get(status_text.casefold())) is None:
        fail("displacement_status", _("%(value)s is not a known code.") % {"value": status_text})
    else:
        values["displacement_status"] = status
    for name in ("nationality", "origin_country"):
        text = cells.get(name, "")
        if text:
            country = refs.countries.get(text.casefold())
            if country is None:
                fail(name, _("%(value)s is not a known country code.") % {"value": text})
            values[name] = country
    needs = []
    for code in _codes(cells.get("specific_needs", "")):
        need = refs.needs.get(code.casefold())
        if need is None:
            fail("specific_needs", _("%(value)s is not a known code.") % {"value": code})
        else:
            needs.append(need)
    documents = _codes(cells.get("documents", ""))
    unknown = [d for d in documents if d not in DocumentType.values]
    if unknown:
        fail("documents", _("%(value)s is not a known code.") % {"value": ", ".join(unknown)})
    for name in _TEXT_FIELDS:
        text = cells.get(name, "")
        for message in _text_problems(name, text):
            fail(name, message)
        values[name] = text
    checked.address = cells.get("address", "")
    if len(checked.address) > 120:
        fail("address", _("Write at most 120 characters."))
    checked.registered_on = values.pop("registered_on", None)
    if errors:
        checked.errors = errors
        return checked

    data = PersonData(
        **values,
        documents=sorted(set(documents)),
        specific_needs=sorted(set(needs), key=lambda n: n.code),
    )
    try:
        born, estimated = resolve_birth_date(data, today)
        validate_person(data, born, today)
    except ValidationError as error:
        checked.errors = {name: list(texts) for name, texts in error.message_dict.items()}
        return checked
    checked.data, checked.born, checked.estimated = data, born, estimated
    return checked


def _text_problems(name: str, text: str) -> list[str]:
    """Return what the model's own field finds wrong with `text` (an empty cell's answer is
    kept per column: most optional columns of a file are empty on most rows)."""
    limit = _PLAIN_LIMITS.get(name)
    if limit is None:
        limit = _PLAIN_LIMITS[name] = _plain_limit(_model_field(name))
    if text and len(text) <= limit:
        return []  # what Field.clean finds too, for a plain text field: nothing
    if not text:
        key = (name, get_language())  # the messages are in the reader's language
        found = _EMPTY_ANSWERS.get(key)
        if found is None:
            found = _EMPTY_ANSWERS[key] = _clean(name, text)
        return found
    return _clean(name, text)


def _clean(name: str, text: str) -> list[str]:
    try:
        _model_field(name).clean(text, None)
    except ValidationError as error:
        return list(error.messages)
    return []


_EMPTY_ANSWERS: dict[tuple[str, str | None], list[str]] = {}
_PLAIN_LIMITS: dict[str, int] = {}


def _plain_limit(found: "Field[Any, Any]") -> int:
    """Return the length up to which a non-empty text passes the field's clean(), or -1 when
    the field checks more than its length (choices, other validators): clean() decides."""
    plain = (
        type(found) is CharField
        and not found.choices
        and all(type(v) is MaxLengthValidator for v in found.validators)
    )
    if plain and found.max_length:
        return int(found.max_length)
    return -1


def _model_field(name: str) -> "Field[Any, Any]":
    found = DisplacedPerson._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _codes(text: str) -> list[str]:
    if not text:
        return []
    return [code.strip() for code in text.replace(",", ";").split(";") if code.strip()]


def check_households(rows: Sequence[CheckedRow], today: datetime.date) -> None:
    """Check each household of the file as a whole; refuse all of it if one member is refused.

    A household registers in one transaction, as household_register does: a member refused
    refuses the others with it, each row saying which row stopped it.
    """
    households: dict[str, list[CheckedRow]] = defaultdict(list)
    for row in rows:
        if row.household_ref:
            households[row.household_ref].append(row)
    for members in households.values():
        refused = [m.row_number for m in members if m.errors]
        if not refused:
            head = next(
                (m for m in members if m.data and m.data.relationship_to_head == Relationship.HEAD),
                members[0],
            )
            try:
                validate_household(
                    [m.data for m in members if m.data is not None],
                    head.registered_on or today,
                    today,
                )
            except ValidationError as error:
                for member in members:
                    for name, texts in error.message_dict.items():
                        key = _HOUSEHOLD_KEY if name == "members" else name
                        member.errors.setdefault(key, []).extend(texts)
            continue
        for member in members:
            if not member.errors:
                member.errors[_HOUSEHOLD_KEY] = [
                    _("Another member of this household was refused (row %(rows)s).")
                    % {"rows": ", ".join(str(n) for n in refused)}
                ]

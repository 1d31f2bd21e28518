"""A person's language and communication needs: set them, read them, and filter by them.

One service writes them (the person's page, the API), checks that the actor may edit the
person, validates, and audits the names of the fields that changed (the values go through the
audit trail's redaction: the languages a person speaks can point at where they come from).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cases.models import (
    DisplacedPerson,
    InterpreterSex,
    Language,
    Literacy,
    PersonLanguageNeeds,
)
from protection import access
from protection.access import Action
from protection.audit import audit_record

if TYPE_CHECKING:
    from protection.accounts.models import User

FIELDS = ("languages", "preferred_language", "interpreter_needed", "interpreter_sex", "literacy")
# The name each field has in the audit trail. "preferred_language" is a user's interface
# setting elsewhere, which the trail keeps in clear; a person's own is redacted like the rest.
AUDIT_NAMES = {name: name for name in FIELDS} | {"preferred_language": "preferred_spoken_language"}
AUDIT_LABELS = {"preferred_spoken_language": _lazy("preferred language")}


@dataclass(frozen=True)
class LanguageNeedsData:
    """What an officer records: every field, as the form or the API gives it."""

    languages: tuple[Language, ...] = ()
    preferred_language: Language | None = None
    interpreter_needed: bool = False
    interpreter_sex: str = InterpreterSex.ANY
    literacy: str = Literacy.UNKNOWN


def _values(needs: PersonLanguageNeeds | None) -> dict[str, object]:
    if needs is None:
        return {}
    return {
        "languages": sorted(language.code for language in needs.languages.all()),
        "preferred_language": needs.preferred_language.code if needs.preferred_language else None,
        "interpreter_needed": needs.interpreter_needed,
        "interpreter_sex": needs.interpreter_sex,
        "literacy": needs.literacy,
    }


def _validate(data: LanguageNeedsData) -> None:
    errors: dict[str, str] = {}
    if data.preferred_language is not None and data.preferred_language not in data.languages:
        errors["preferred_language"] = _("The preferred language must be one the person speaks.")
    if data.interpreter_sex not in InterpreterSex.values:
        errors["interpreter_sex"] = _("Choose one of the listed options.")
    elif data.interpreter_sex != InterpreterSex.ANY and not data.interpreter_needed:
        errors["interpreter_sex"] = _("Say whether an interpreter is needed first.")
    if data.literacy not in Literacy.values:
        errors["literacy"] = _("Choose one of the listed options.")
    inactive = [language.code for language in data.languages if not language.active]
    if inactive:
        errors["languages"] = _("A language that is no longer in the list cannot be chosen.")
    if errors:
        raise ValidationError(errors)


def language_needs_of(person: DisplacedPerson) -> PersonLanguageNeeds | None:
    """Return the person's recorded needs with their languages, or None when nothing is recorded.

    The caller has read the person through a selector (which logged the read).
    """
    return (
        PersonLanguageNeeds.objects.select_related("preferred_language")
        .prefetch_related("languages")
        .filter(person=person)
        .first()
    )


def person_language_needs_set(
    *, actor: "User", person: DisplacedPerson, data: LanguageNeedsData
) -> PersonLanguageNeeds:
    """Record the person's language and communication needs; audit the fields that changed."""
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    if person.anonymised_on is not None:
        raise ValidationError(_("This record was anonymised: its details cannot be changed."))
    _validate(data)
    with transaction.atomic():
        # Lock the person's row: two officers saving at once write one after the other.
        DisplacedPerson.objects.select_for_update().filter(pk=person.pk).first()
        needs = language_needs_of(person)
        before = _values(needs)
        if needs is None:
            needs = PersonLanguageNeeds(person=person, updated_by=actor)
        needs.preferred_language = data.preferred_language
        needs.interpreter_needed = data.interpreter_needed
        needs.interpreter_sex = data.interpreter_sex
        needs.literacy = data.literacy
        needs.updated_by = actor
        needs.full_clean(exclude=["person", "languages"])
        needs.save()
        needs.languages.set(data.languages)
        after = _values(language_needs_of(person))
        changes = {
            AUDIT_NAMES[name]: [before.get(name), after[name]]
            for name in FIELDS
            if before.get(name) != after[name]
        }
        if changes:
            audit_record(actor=actor, action="person.language_needs", obj=person, changes=changes)
    result = language_needs_of(person)
    assert result is not None
    return result


def language_filter_q(*, speaks: str = "", needs_interpreter: bool | None = None) -> Q:
    """Match people who speak a language (by ISO 639 code) and, or, who need an interpreter."""
    query = Q()
    if speaks:
        query &= Q(language_needs__languages__code=speaks.strip().lower())
    if needs_interpreter is not None:
        if needs_interpreter:
            query &= Q(language_needs__interpreter_needed=True)
        else:
            query &= Q(language_needs__isnull=True) | Q(language_needs__interpreter_needed=False)
    return query


def active_languages() -> QuerySet[Language]:
    """Return the languages an officer may choose, in the list's order."""
    return Language.objects.filter(active=True)


def languages_by_codes(codes: Iterable[str]) -> dict[str, Language]:
    """Return the languages named by these codes (any case), active or not, by code."""
    wanted = {code.strip().lower() for code in codes}
    return {language.code: language for language in Language.objects.filter(code__in=wanted)}


def language_needs_shared(person: DisplacedPerson) -> dict[str, object]:
    """Return the needs as a referral carries them to a partner: codes, read when it is sent."""
    needs = language_needs_of(person)
    values = _values(needs) or {
        "languages": [],
        "preferred_language": None,
        "interpreter_needed": False,
        "interpreter_sex": InterpreterSex.ANY,
        "literacy": Literacy.UNKNOWN,
    }
    return values


def language_needs_words(value: Mapping[str, Any]) -> str:
    """Return shared needs in words for a person to read (the codes turned into names)."""
    codes = [str(code) for code in value.get("languages") or []]
    names = {language.code: language.label for language in Language.objects.filter(code__in=codes)}
    parts = [", ".join(names.get(code, code) for code in codes) or "—"]
    preferred = value.get("preferred_language")
    if preferred:
        parts.append(_("preferred: %(language)s") % {"language": names.get(preferred, preferred)})
    if value.get("interpreter_needed"):
        sex = value.get("interpreter_sex")
        if sex and sex != InterpreterSex.ANY:
            parts.append(
                _("needs an interpreter: %(sex)s")
                % {"sex": dict(InterpreterSex.choices).get(sex, sex)}
            )
        else:
            parts.append(_("needs an interpreter"))
    literacy = value.get("literacy")
    if literacy and literacy != Literacy.UNKNOWN:
        parts.append(str(dict(Literacy.choices).get(literacy, literacy)))
    return " · ".join(str(part) for part in parts)

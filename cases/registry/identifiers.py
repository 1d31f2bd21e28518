"""A person's document numbers and biometric-system references: add, remove, find by number.

The number is stored encrypted with a keyed hash beside it (protection.crypto.blind_index), so
that an exact match finds the person without the database ever holding the number in clear.
The audit trail names the identifier's id and kind, never the number.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from camps.models import Country
from cases.models import DisplacedPerson, DocumentType, IdentifierKind, PersonIdentifier
from protection import access
from protection.access import Action
from protection.audit import audit_record
from protection.crypto.blind_index import blind_index, normalise

if TYPE_CHECKING:
    from protection.accounts.models import User

PURPOSE = "person-identifier"
NUMBER_MAX_LENGTH = 60


@dataclass(frozen=True)
class IdentifierData:
    kind: str
    scheme: str
    number: str
    issuing_country: Country | None = None


def number_hash(number: str) -> str:
    """Return the keyed hash an identifier's number is searched by."""
    return blind_index(number, purpose=PURPOSE)


def _validate(data: IdentifierData) -> None:
    errors: dict[str, str] = {}
    if data.kind not in IdentifierKind.values:
        errors["kind"] = _("Choose one of the listed options.")
    elif data.kind == IdentifierKind.DOCUMENT:
        if data.scheme not in DocumentType.values:
            errors["scheme"] = _("Choose the type of document.")
    else:
        if not data.scheme.strip():
            errors["scheme"] = _("Name the biometric system.")
        if data.issuing_country is not None:
            errors["issuing_country"] = _("Only a document has an issuing country.")
    number = normalise(data.number)
    if not number:
        errors["number"] = _("Give the number or id.")
    elif len(data.number.strip()) > NUMBER_MAX_LENGTH:
        errors["number"] = _("At most %(count)d characters.") % {"count": NUMBER_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)


def require_editable(actor: "User", person: DisplacedPerson) -> None:
    """Refuse unless the actor may edit this person, seen through the access policy, and the
    record is not anonymised (the identifiers' and the photo's services)."""
    access.require(actor, Action.EDIT_PEOPLE)
    if not access.people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    if person.anonymised_on is not None:
        raise ValidationError(_("This record was anonymised: its details cannot be changed."))


def person_identifier_add(
    *, actor: "User", person: DisplacedPerson, data: IdentifierData
) -> PersonIdentifier:
    """Record a document or biometric reference for the person; audit its id and kind."""
    require_editable(actor, person)
    _validate(data)
    identifier = PersonIdentifier(
        person=person,
        kind=data.kind,
        scheme=data.scheme.strip(),
        number=data.number.strip(),
        number_hash=number_hash(data.number),
        issuing_country=data.issuing_country,
        recorded_by=actor,
    )
    try:
        with transaction.atomic():
            identifier.save()
            audit_record(
                actor=actor,
                action="person.identifier_add",
                obj=person,
                changes={"identifier": [None, identifier.pk]},
            )
    except IntegrityError as error:
        raise ValidationError({"number": _("This number is recorded already.")}) from error
    return identifier


def person_identifier_remove(*, actor: "User", identifier: PersonIdentifier) -> None:
    """Remove a reference recorded by mistake or no longer valid; audit its id."""
    person = identifier.person
    require_editable(actor, person)
    with transaction.atomic():
        pk = identifier.pk
        identifier.delete()
        audit_record(
            actor=actor,
            action="person.identifier_remove",
            obj=person,
            changes={"identifier": [pk, None]},
        )


def identifiers_of(person: DisplacedPerson) -> QuerySet[PersonIdentifier]:
    """Return the person's identifiers (the caller read the person through a selector)."""
    return person.identifiers.select_related("issuing_country").order_by("id")


def identifiers_shared(person: DisplacedPerson) -> list[dict[str, str]]:
    """Return the person's identifiers as a referral carries them (read when it is sent)."""
    return [
        {
            "kind": identifier.kind,
            "scheme": identifier.scheme,
            "scheme_label": identifier.scheme_label,
            "number": identifier.number,
            "issuing_country": identifier.issuing_country.code
            if identifier.issuing_country
            else "",
        }
        for identifier in identifiers_of(person)
    ]


def identifier_get(*, user: "User", person: DisplacedPerson, pk: int) -> PersonIdentifier:
    """Return one identifier of a person the user may see, or raise DoesNotExist."""
    return (
        PersonIdentifier.objects.select_related("person")
        .filter(person__in=access.people_for(user), person=person)
        .get(pk=pk)
    )


def document_q(number: str) -> Q:
    """Match the people holding a document or biometric id equal to `number` (exact match)."""
    if not normalise(number):
        return Q(pk__in=[])
    return Q(identifiers__number_hash=number_hash(number))

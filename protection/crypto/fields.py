"""Model fields whose values are stored encrypted (protection/crypto/cipher.py).

Python code, forms, serializers and templates see the clear text; the column holds
`enc:v1:<kid>:...`. An empty string stays empty, so that "nothing written" can still be
checked by a constraint; its length is all it gives away. Encryption is randomised, so the
database cannot search, order or compare these columns: a lookup other than `isnull` or an
exact match on "" is refused with a FieldError rather than silently matching nothing.
"""

import json
from typing import Any

from django import forms
from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Exact, IsNull, Lookup

from protection.crypto import cipher


class EmptyExact(Exact):  # type: ignore[type-arg]
    """`field=""` on an encrypted column: whether anything was written, nothing more."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None) and not hasattr(self.rhs, "resolve_expression"):
            raise FieldError(
                "An encrypted field can only be compared with the empty string; "
                "its content cannot be searched in the database."
            )
        return super().get_prep_lookup()


def _refused_lookup(field_name: str, lookup_name: str) -> type[Lookup]:  # type: ignore[type-arg]
    """Return a lookup that refuses to be built (returning it, not raising, keeps the type
    checker's Django plugin, which resolves lookups ahead of time, working)."""

    class RefusedLookup(Lookup):  # type: ignore[type-arg]
        def __init__(self, lhs: Any, rhs: Any) -> None:
            raise FieldError(
                f"{field_name} is stored encrypted: the lookup {lookup_name!r} cannot run in "
                "the database."
            )

    RefusedLookup.lookup_name = lookup_name
    return RefusedLookup


class _EncryptedMixin:
    """What both encrypted fields share: the column's associated data and the lookups."""

    model: type[models.Model]
    column: str
    name: str

    def _encrypt(self, clear: str) -> str:
        return cipher.encrypt(clear, table=self.model._meta.db_table, column=self.column)

    def _decrypt(self, stored: str) -> str:
        return cipher.decrypt(stored, table=self.model._meta.db_table, column=self.column)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return EmptyExact
        if lookup_name == "isnull":
            return IsNull
        return _refused_lookup(self.name, lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedTextField(_EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """Free text (a note, a narrative, a secret) stored encrypted."""

    description = "Text stored encrypted with AES-256-GCM"

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if not value:
            return value
        return self._decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return self._encrypt(value)


class EncryptedJSONField(_EncryptedMixin, models.TextField):  # type: ignore[type-arg]
    """A JSON document (what a referral shared, a history's texts) stored encrypted as text."""

    # What the type checker's Django plugin reads as the attribute's types on models.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    description = "JSON stored encrypted with AES-256-GCM"
    empty_values = [None, "", [], (), {}]

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return None
        return json.loads(self._decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = models.Field.get_prep_value(self, value)
        if value is None:
            return None
        # An exact match on "" from a constraint check: leave it for EmptyExact.
        if value == "":
            return value
        document = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
        return self._encrypt(document)

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj), cls=DjangoJSONEncoder)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return models.Field.formfield(
            self,
            form_class=form_class or forms.JSONField,
            choices_form_class=choices_form_class,
            **{"encoder": DjangoJSONEncoder, **kwargs},
        )

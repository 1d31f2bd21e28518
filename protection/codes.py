"""Human-friendly codes for records: random, unambiguous, easy to read aloud.

Codes use Crockford's base-32 alphabet (no I, L, O or U), so that 'O' typed for '0' or 'l' for
'1' still finds the record, and they are random rather than sequential, so that a code reveals
neither how many people are registered nor the code of the next person.
"""

import re
import secrets
from collections.abc import Callable, Sequence

from django.db import IntegrityError, models, transaction

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BODY_LENGTH = 8
_TYPOS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
PERSON_PREFIX = "P"
HOUSEHOLD_PREFIX = "H"
CASE_PREFIX = "C"
REFERRAL_PREFIX = "R"
INCIDENT_PREFIX = "I"
# Draws before giving up: with 32^8 codes a second collision in a row means something is wrong.
CODE_ATTEMPTS = 5


def new_code(prefix: str) -> str:
    """Return a fresh random code such as P-7XK2-M9QD."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(_BODY_LENGTH))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def canonical_code(
    text: str, prefixes: tuple[str, ...] = (PERSON_PREFIX, HOUSEHOLD_PREFIX)
) -> str | None:
    """Return the stored form of a typed code, or None if the text is not a code."""
    compact = re.sub(r"[^0-9A-Z]", "", (text or "").upper())
    if len(compact) != _BODY_LENGTH + 1 or compact[0] not in prefixes:
        return None
    body = compact[1:].translate(_TYPOS)
    if any(char not in ALPHABET for char in body):
        return None
    return f"{compact[0]}-{body[:4]}-{body[4:]}"


def save_with_code(
    instance: models.Model,
    attribute: str,
    prefix: str,
    *,
    clean: Callable[[], None] | None = None,
) -> None:
    """Insert `instance` with a fresh random code in `attribute`, drawing again on a collision.

    `clean` runs inside the same savepoint, just before the insert, for callers that validate
    the row with its code in place.
    """
    for _attempt in range(CODE_ATTEMPTS):
        setattr(instance, attribute, new_code(prefix))
        try:
            with transaction.atomic():
                if clean is not None:
                    clean()
                instance.save()
            return
        except IntegrityError:
            taken = type(instance)._default_manager.filter(
                **{attribute: getattr(instance, attribute)}
            )
            if taken.exists():
                continue
            raise
    raise RuntimeError("Could not draw a free code; the code space is exhausted.")


def bulk_save_with_codes(
    instances: Sequence[models.Model],
    attribute: str,
    prefix: str,
    *,
    clean: Callable[[models.Model], None] | None = None,
) -> None:
    """Insert `instances` in one statement, each with a fresh random code in `attribute`.

    `clean(instance)` validates each row with its code in place, before the insert. A collision
    (one in a trillion) draws new codes for the rows whose codes are taken and tries again, as
    `save_with_code` does for one row.
    """
    model = type(instances[0]) if instances else None
    for instance in instances:
        setattr(instance, attribute, new_code(prefix))
        if clean is not None:
            clean(instance)
    for _attempt in range(CODE_ATTEMPTS):
        if model is None:
            return
        try:
            with transaction.atomic():
                model._default_manager.bulk_create(instances)
            return
        except IntegrityError:
            drawn = [getattr(instance, attribute) for instance in instances]
            taken = set(
                model._default_manager.filter(**{f"{attribute}__in": drawn}).values_list(
                    attribute, flat=True
                )
            )
            if not taken and len(set(drawn)) == len(drawn):
                raise
            seen: set[str] = set()
            for instance in instances:
                code = getattr(instance, attribute)
                if code in taken or code in seen:
                    setattr(instance, attribute, new_code(prefix))
                seen.add(getattr(instance, attribute))
                instance.pk = None
    raise RuntimeError("Could not draw free codes; the code space is exhausted.")

"""A keyed hash of a normalised value, so that an encrypted identifier can be found by exact match.

The encrypted fields are randomised (protection/crypto/fields.py): the database cannot compare
them. Beside such a value a model keeps this hash, HMAC-SHA256 under BLIND_INDEX_KEY (or the
SECRET_KEY) with a salt per purpose, of the value normalised (case, spaces and punctuation do
not count): equal numbers give equal hashes, and the hash tells nothing to someone without the
key. Changing the key means recomputing the hashes; the clear values stay encrypted meanwhile.
"""

import re

from django.conf import settings
from django.utils.crypto import salted_hmac

_SALT = "protection.crypto.blind-index"
_IGNORED = re.compile(r"[\s\-./_]+")


def normalise(value: str) -> str:
    """Return the value as it is compared: upper case, without spaces, dashes, dots, slashes."""
    return _IGNORED.sub("", value).upper()


def blind_index(value: str, *, purpose: str) -> str:
    """Return the hex keyed hash that stands for `value` in searches for `purpose`."""
    key = getattr(settings, "BLIND_INDEX_KEY", "") or settings.SECRET_KEY
    return salted_hmac(
        f"{_SALT}.{purpose}", normalise(value), secret=key, algorithm="sha256"
    ).hexdigest()

"""A name's letters one slip away: what the blocking walks look for when a slip changes a name.

A name's letters key (duplicates.letters_key: its letters, each once, in order) survives a
swapped or doubled letter; a slip that adds, drops or replaces one letter gives one of the keys
here. The blocking statement walks each, beside the other name's phonetic key.
"""

import bisect
from collections.abc import Set as AbstractSet
from functools import lru_cache

_SORTED_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_ALPHABET = frozenset(_SORTED_ALPHABET)


def letters_within_one_slip(letters: str) -> list[str]:
    """Return the letter keys a name one slip away from a name with these letters may have.

    A slip adds, drops or replaces one letter, or swaps or doubles letters (which keep the
    letters): the original's letters are these, these with one more, one fewer or one other.
    """
    return list(_letters_within_one_slip(letters))


def held_within_one_slip(letters: str, held: AbstractSet[str]) -> list[str]:
    """Return, in order, the letter keys of `held` that a name one slip from a name with these
    letters may have (letters_within_one_slip's, without building them for a few held)."""
    if not held or not letters:
        return []
    if len(held) < 64:
        own = set(letters)
        return sorted(other for other in held if _one_slip_apart(own, other))
    return [other for other in _letters_within_one_slip(letters) if other in held]


def _one_slip_apart(own: set[str], other: str) -> bool:
    """Whether `other` (a letters key) is among _letters_within_one_slip of the key of `own`:
    at most one letter dropped and at most one added, the added one a to z."""
    if not other:
        return False
    added = set(other) - own
    return len(added) <= 1 and len(own) - (len(other) - len(added)) <= 1 and added <= _ALPHABET


@lru_cache(maxsize=4096)
def _letters_within_one_slip(letters: str) -> tuple[str, ...]:
    # Cached: a household's members share their family name, a registry its common names. The
    # variants are spliced into the sorted letters (a bulk import's new names miss the cache:
    # building each from a set and sorting it cost 0.25 ms a name, most of a dry run's check).
    if not letters:
        return ()
    absent = [char for char in _SORTED_ALPHABET if char not in letters]
    variants = {letters}
    for start in (letters, *(letters[:i] + letters[i + 1 :] for i in range(len(letters)))):
        if start != letters and start:
            variants.add(start)  # one letter fewer
        for char in absent:  # one more, or (from one fewer) one other
            at = bisect.bisect(start, char)
            variants.add(start[:at] + char + start[at:])
    return tuple(sorted(variants))

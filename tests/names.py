"""Made-up names of new arrivals, for the import's tests and benchmark (no Django imports)."""

import random

SYLLABLES = [
    "ba",
    "ko",
    "ri",
    "ta",
    "mu",
    "se",
    "lo",
    "ni",
    "da",
    "ke",
    "fu",
    "zi",
    "po",
    "ga",
    "he",
    "ju",
    "wa",
    "ye",
    "xo",
    "qi",
    "vu",
    "ne",
    "sa",
    "to",
]


def syllable_name(rng: random.Random) -> str:
    """Return a four-syllable name: most share no phonetic key with a registry's names."""
    return "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()

"""The countries reference list: ISO 3166-1 as pycountry ships it, in English, French, Arabic."""

import gettext
from typing import Any

import pycountry


def country_rows() -> list[dict[str, Any]]:
    """Return one row per ISO 3166-1 country: alpha-3 code, alpha-2 code, the three names."""
    translators = {
        language: gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
        for language in ("fr", "ar")
    }
    rows = []
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        rows.append(
            {
                "code": country.alpha_3,
                "alpha2": country.alpha_2,
                "name": name,
                "name_fr": translators["fr"].gettext(country.name),
                "name_ar": translators["ar"].gettext(country.name),
            }
        )
    return rows

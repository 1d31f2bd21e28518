"""Load the reference lists (site types, statuses, specific needs, sectors, countries).

The lists come from public standards (see shared/domain.md) and live as JSON beside each app.
Loading adds what is missing and never overwrites an admin's edits, so it is safe to run on
every start.
"""

import gettext
import json
from pathlib import Path
from typing import Any

import pycountry
from django.conf import settings
from django.db import models, transaction

from camps.models import Country, SiteType
from cases.models import DisplacementStatus, SpecificNeed, SpecificNeedCategory
from incidents.models import IncidentType, PerpetratorCategory
from partners.models import Sector

_REFERENCE_FILES: list[tuple[type[models.Model], str]] = [
    (SiteType, "camps/reference/site_types.json"),
    (DisplacementStatus, "cases/reference/displacement_statuses.json"),
    (SpecificNeedCategory, "cases/reference/specific_need_categories.json"),
    (SpecificNeed, "cases/reference/specific_needs.json"),
    (Sector, "partners/reference/sectors.json"),
    (IncidentType, "incidents/reference/incident_types.json"),
    (PerpetratorCategory, "incidents/reference/perpetrator_categories.json"),
]


def _rows(relative_path: str) -> list[dict[str, Any]]:
    path = Path(settings.BASE_DIR) / relative_path
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = json.load(handle)
    return rows


def _add_missing(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose code is new; fill blank translations of existing ones."""
    existing = {item.code: item for item in model._default_manager.all()}  # type: ignore[attr-defined]
    categories = {c.code: c for c in SpecificNeedCategory.objects.all()}
    new, filled = [], []
    for order, row in enumerate(rows):
        current = existing.get(row["code"])
        if current is not None:
            blanks = [f for f in ("name_fr", "name_ar") if not getattr(current, f) and row.get(f)]
            for name in blanks:
                setattr(current, name, row[name])
            if blanks:
                filled.append(current)
            continue
        values = {key: value for key, value in row.items() if key != "category"}
        if "category" in row:
            values["category"] = categories[row["category"]]
        new.append(model(sort_order=order, **values))
    model._default_manager.bulk_create(new)
    if filled:
        model._default_manager.bulk_update(filled, ["name_fr", "name_ar"])
    return len(new)


def _country_rows() -> list[dict[str, Any]]:
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


def load_reference_data() -> dict[str, int]:
    """Add every missing reference item; return how many were added per list."""
    added: dict[str, int] = {}
    with transaction.atomic():
        for model, relative_path in _REFERENCE_FILES:
            added[str(model._meta.verbose_name_plural)] = _add_missing(model, _rows(relative_path))
        added[str(Country._meta.verbose_name_plural)] = _add_missing(Country, _country_rows())
    return {str(name): count for name, count in added.items()}

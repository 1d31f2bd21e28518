"""Load the reference lists (site types, statuses, specific needs, sectors, countries).

The lists come from public standards (see shared/domain.md) and live beside the app that owns
them (a JSON file, or pycountry for countries); each app registers its lists here from its
AppConfig.ready(), so this module knows no app's models. Loading adds what is missing and never
overwrites an admin's edits, so it is safe to run on every start.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction

# A list's rows: a JSON file beside the app (a path from the project root), or a function.
RowSource = str | Callable[[], list[dict[str, Any]]]

# In the order the apps register them (INSTALLED_APPS order): a list whose rows name another
# list's codes (a specific need's category) comes after that list.
_LISTS: list[tuple[type[models.Model], RowSource]] = []


def register_reference_list(model: type[models.Model], source: RowSource) -> None:
    """Add a reference list to those `load_reference_data` loads (an app calls it in ready())."""
    if all(registered is not model for registered, _source in _LISTS):
        _LISTS.append((model, source))


def _rows(source: RowSource) -> list[dict[str, Any]]:
    if callable(source):
        return source()
    path = Path(settings.BASE_DIR) / source
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, Any]] = json.load(handle)
    return rows


def _related_by_code(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """Turn the codes a row gives for its foreign keys (a need's "category") into the rows."""
    values = dict(row)
    for name, code in row.items():
        field = model._meta.get_field(name)
        if field.many_to_one and field.related_model is not None:
            related = field.related_model
            assert not isinstance(related, str)
            values[name] = related._default_manager.get(code=code)
    return values


def _add_missing(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose code is new; fill blank translations of existing ones."""
    existing = {item.code: item for item in model._default_manager.all()}  # type: ignore[attr-defined]
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
        new.append(model(sort_order=order, **_related_by_code(model, row)))
    model._default_manager.bulk_create(new)
    if filled:
        model._default_manager.bulk_update(filled, ["name_fr", "name_ar"])
    return len(new)


def load_reference_data() -> dict[str, int]:
    """Add every missing reference item; return how many were added per list."""
    added: dict[str, int] = {}
    with transaction.atomic():
        for model, source in _LISTS:
            added[str(model._meta.verbose_name_plural)] = _add_missing(model, _rows(source))
    return added

"""Reference lists the registry forms offer, read once per request and shared by every form.

A household form holds several member forms; each would otherwise query the countries,
statuses and specific needs again. The lists are loaded lazily, once, and handed to each form.
"""

from collections.abc import Iterable
from functools import cached_property

from django.db.models import Q

from camps.models import Country
from cases.models import DisplacementStatus, SpecificNeed


class RegistryChoices:
    """The countries, displacement statuses and specific needs a registry form offers."""

    def __init__(
        self, *, keep_status_id: int | None = None, keep_need_ids: Iterable[int] = ()
    ) -> None:
        # Values a record already holds stay selectable even after an admin retired them.
        self._keep_status_id = keep_status_id
        self._keep_need_ids = list(keep_need_ids)

    @cached_property
    def all_countries(self) -> list[Country]:
        return list(Country.objects.all())

    @cached_property
    def countries(self) -> list[Country]:
        """Return the active countries, sorted by their name in the active language."""
        return sorted((c for c in self.all_countries if c.active), key=lambda c: c.label)

    @cached_property
    def _country_lookup(self) -> dict[str, Country]:
        lookup: dict[str, Country] = {}
        for country in self.all_countries:
            for text in (country.code, country.alpha2, country.name, country.name_fr):
                if text:
                    lookup.setdefault(text.strip().casefold(), country)
            if country.name_ar:
                lookup.setdefault(country.name_ar.strip(), country)
        return lookup

    def country_for(self, text: str) -> Country | None:
        """Return the country typed as a name (any language) or an ISO code, or None."""
        cleaned = " ".join(text.split())
        return self._country_lookup.get(cleaned.casefold()) or self._country_lookup.get(cleaned)

    @cached_property
    def statuses(self) -> dict[str, DisplacementStatus]:
        condition = Q(active=True)
        if self._keep_status_id is not None:
            condition |= Q(pk=self._keep_status_id)
        return {s.code: s for s in DisplacementStatus.objects.filter(condition)}

    @cached_property
    def needs(self) -> list[SpecificNeed]:
        """Return the specific needs, category by category, in the reference order."""
        condition = Q(active=True)
        if self._keep_need_ids:
            condition |= Q(pk__in=self._keep_need_ids)
        return list(
            SpecificNeed.objects.filter(condition)
            .select_related("category")
            .order_by("category__sort_order", "category__code", "sort_order", "code")
        )

    def need_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return the needs as (category, [(code, label)]) groups for a choice field."""
        groups: dict[int, tuple[str, list[tuple[str, str]]]] = {}
        for need in self.needs:
            title = f"{need.category.code} {need.category.label}"
            groups.setdefault(need.category_id, (title, []))[1].append((need.code, str(need)))
        return list(groups.values())

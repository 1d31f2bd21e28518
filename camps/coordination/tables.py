"""The 3W as a table: one row per service at a site, and one per gap, for CSV and HXL."""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from protection.exporting import Column

COLUMNS = (
    Column(_("Site code"), "#loc+code"),
    Column(_("Site"), "#loc+name"),
    Column(_("Admin level 1"), "#adm1+name"),
    Column(_("Sector code"), "#sector+code"),
    Column(_("Sector"), "#sector+name"),
    Column(_("Agency"), "#org+acronym"),
    Column(_("Agency name"), "#org+name"),
    Column(_("Service"), "#activity+name"),
    Column(_("Accepting referrals"), "#status+referrals"),
    Column(_("Serves every site"), "#meta+everywhere"),
    Column(_("Gap"), "#indicator+gap"),
)


def rows(results: list[dict[str, Any]]) -> Iterator[list[Any]]:
    """Yield the rows of the API's results: a service at a site, or the gap of a sector."""
    for cell in results:
        site, sector = cell["site"], cell["sector"]
        place = [site["code"], site["name"], site["admin1"], sector["code"], sector["label"]]
        if cell["gap"]:
            yield [*place, "", "", "", "", "", True]
        for service in cell["services"]:
            yield [
                *place,
                service["agency"],
                service["agency_name"],
                service["name"],
                service["accepting_referrals"],
                service["everywhere"],
                False,
            ]

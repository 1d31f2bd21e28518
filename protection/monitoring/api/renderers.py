"""The indicators as files: CSV (`?format=csv`), HXL (`?format=hxl`) and XLSX (`?format=xlsx`).

Each is the same table, one line per site and month: the API's field names as the header (the
durable solutions spread over a column each), a suppressed count written "<5" (the threshold),
a hidden median left empty. HXL adds a row of hashtags under the header, so that HDX and
libhxl read the indicators as they read the statistics; XLSX is the workbook the cluster's
coordinators open. protection.table_renderers writes them with the exports' writers.
"""

from typing import Any

from protection.exporting import Column
from protection.monitoring.api.serializers import COUNT_FIELDS, IndicatorRowSerializer
from protection.table_renderers import TableRenderer, XlsxTableRenderer

# The HXL hashtag and attributes of each column (https://hxlstandard.org/standard/dictionary).
HXL_TAGS = {
    "site": "#loc+id",
    "site_code": "#loc+code",
    "site_name": "#loc+name",
    "month": "#date+month",
    "incidents_acknowledged": "#indicator+incidents+acknowledged+num",
    "acknowledgement_median_minutes": "#indicator+acknowledgement+median+minutes",
    "acknowledgement_p90_minutes": "#indicator+acknowledgement+p90+minutes",
    "alerts_due": "#indicator+alerts+due+num",
    "alerts_on_time": "#indicator+alerts+on_time+num",
    "alerts_on_time_percent": "#indicator+alerts+on_time+pct",
    "referrals_due": "#indicator+referrals+due+num",
    "referrals_on_time": "#indicator+referrals+on_time+num",
    "referrals_on_time_percent": "#indicator+referrals+on_time+pct",
    "cases_assessed": "#indicator+cases+assessed+num",
    "assessment_median_days": "#indicator+assessment+median+days",
    "assessment_p90_days": "#indicator+assessment+p90+days",
    "durable_solutions_total": "#indicator+solutions+num",
}
SOLUTION_TAG = "#indicator+solutions+num+{key}"


def indicator_table(data: Any) -> tuple[list[Column], list[list[Any]]] | None:
    """Return the columns and the rows of an indicators answer (the serializer's data)."""
    if not isinstance(data, dict) or "results" not in data:
        return None
    hidden = f"<{data['threshold']}"
    results: list[dict[str, Any]] = data["results"]
    names = [
        name for name in IndicatorRowSerializer._declared_fields if name != "durable_solutions"
    ]
    solutions = sorted({key for row in results for key in row["durable_solutions"]})
    columns = [Column(name, HXL_TAGS[name]) for name in names]
    columns += [
        Column(f"durable_solutions_{key}", SOLUTION_TAG.format(key=key)) for key in solutions
    ]
    rows = []
    for row in results:
        line = [
            hidden if row[name] is None and name in COUNT_FIELDS else row[name] for name in names
        ]
        line += [
            hidden if row["durable_solutions"].get(key) is None else row["durable_solutions"][key]
            for key in solutions
        ]
        rows.append(["" if value is None else value for value in line])
    return columns, rows


class IndicatorCsvRenderer(TableRenderer):
    table_of = staticmethod(indicator_table)


class IndicatorHxlRenderer(IndicatorCsvRenderer):
    format = "hxl"
    hxl = True


class IndicatorXlsxRenderer(XlsxTableRenderer):
    table_of = staticmethod(indicator_table)
    sheet_title = "indicators"

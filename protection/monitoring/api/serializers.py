"""The indicators API's output: one row per site and month, suppressed counts as null."""

from typing import Any

from rest_framework import serializers

from cases.models import DurableSolution
from protection.monitoring.presentation import PublishedRow

COUNT_FIELDS = (
    "incidents_acknowledged",
    "alerts_due",
    "alerts_on_time",
    "referrals_due",
    "referrals_on_time",
    "cases_assessed",
    "durable_solutions_total",
)


class FigureField(serializers.IntegerField):
    """A published count: the number, or null when it is suppressed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, read_only=True, min_value=0, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value.count


class DurableSolutionsSerializer(serializers.Serializer[Any]):
    """Cases closed with a durable solution, by solution (null when suppressed)."""

    def to_representation(self, instance: Any) -> dict[str, int | None]:
        return {value: figure.count for value, _label, figure in instance}


for _value, _label in DurableSolution.choices:
    DurableSolutionsSerializer._declared_fields[_value] = serializers.IntegerField(
        allow_null=True, read_only=True, help_text=str(_label)
    )


class IndicatorRowSerializer(serializers.Serializer[PublishedRow]):
    """The indicators of one site in one month."""

    site = serializers.IntegerField(source="site_id", read_only=True)
    site_code = serializers.CharField(read_only=True)
    site_name = serializers.CharField(read_only=True)
    month = serializers.DateField(read_only=True, help_text="The first day of the month.")
    incidents_acknowledged = FigureField(
        help_text="Incidents reported in the month whose alerts someone acknowledged."
    )
    acknowledgement_median_minutes = serializers.FloatField(
        allow_null=True, read_only=True, help_text="Report to first acknowledgement, median."
    )
    acknowledgement_p90_minutes = serializers.FloatField(
        allow_null=True,
        read_only=True,
        help_text="Report to first acknowledgement, 90th percentile.",
    )
    alerts_due = FigureField(help_text="Alerts raised in the month, acknowledged or past due.")
    alerts_on_time = FigureField(help_text="Of those, acknowledged before their deadline.")
    alerts_on_time_percent = serializers.FloatField(allow_null=True, read_only=True)
    referrals_due = FigureField(help_text="Referrals sent in the month, answered or past due.")
    referrals_on_time = FigureField(help_text="Of those, answered within their deadline.")
    referrals_on_time_percent = serializers.FloatField(allow_null=True, read_only=True)
    cases_assessed = FigureField(help_text="Cases opened in the month and assessed since.")
    assessment_median_days = serializers.FloatField(allow_null=True, read_only=True)
    assessment_p90_days = serializers.FloatField(allow_null=True, read_only=True)
    durable_solutions_total = FigureField(
        help_text="Cases closed in the month with a durable solution."
    )
    durable_solutions = DurableSolutionsSerializer(read_only=True)


class IndicatorsSerializer(serializers.Serializer[Any]):
    """The indicators of a period: suppressed counts are null and hide a count under
    `threshold` (or one that would give it away from the totals)."""

    first = serializers.DateField(read_only=True)
    last = serializers.DateField(read_only=True)
    suppressed = serializers.BooleanField(
        read_only=True, help_text="Whether small counts are suppressed for this caller."
    )
    threshold = serializers.IntegerField(read_only=True)
    results = IndicatorRowSerializer(many=True, read_only=True)

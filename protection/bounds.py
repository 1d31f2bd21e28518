"""The ranges numbers given to the API and the pages may take: the column's, or the domain's.

PostgreSQL refuses an integer past its column's range ("integer out of range"), which would
surface as a 500 after the request had started writing. Every integer, decimal or float field
of a serializer or a form is therefore bounded, so that the caller gets a field error and
nothing is written: by the column's range at least, by what the domain makes obvious where
that is narrower (a latitude is within -90..90). tests/protection/test_input_bounds.py walks
every serializer the API uses and every form of the pages, and fails on an unbounded one.
"""

from decimal import Decimal
from typing import Any

from django import forms
from rest_framework import serializers

# PostgreSQL's integer (Django's IntegerField and PositiveIntegerField), and bigint, the ids:
# an id given in input is only looked up, never stored.
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

# People of one sex and age group harmed in one incident: an attack on a large camp is counted
# in thousands; a figure past this is a typing error.
VICTIMS_MAX = 100_000
# People a site can hold: the largest camps in the world hold under a million.
SITE_CAPACITY_MAX = 2_000_000
# A retention period, in its unit (days, months or years): a century of days at most.
RETENTION_PERIOD_MAX = 36_600
# An estimated age, in years.
AGE_MAX = 120
LATITUDE_RANGE = (Decimal(-90), Decimal(90))
LONGITUDE_RANGE = (Decimal(-180), Decimal(180))


def latitude_field(**kwargs: Any) -> serializers.DecimalField:
    """Return an API latitude in decimal degrees, six places, within -90..90."""
    low, high = LATITUDE_RANGE
    return serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=low, max_value=high, **kwargs
    )


def longitude_field(**kwargs: Any) -> serializers.DecimalField:
    """Return an API longitude in decimal degrees, six places, within -180..180."""
    low, high = LONGITUDE_RANGE
    return serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=low, max_value=high, **kwargs
    )


def latitude_form_field(**kwargs: Any) -> forms.DecimalField:
    """Return a page's latitude field, within -90..90."""
    low, high = LATITUDE_RANGE
    return forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=low, max_value=high, **kwargs
    )


def longitude_form_field(**kwargs: Any) -> forms.DecimalField:
    """Return a page's longitude field, within -180..180."""
    low, high = LONGITUDE_RANGE
    return forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=low, max_value=high, **kwargs
    )

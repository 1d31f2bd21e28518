"""Calendar arithmetic on ages and birth dates, shared by registration, search and reports."""

import datetime


def years_before(day: datetime.date, years: int) -> datetime.date:
    """Return the same day `years` earlier (28 February for 29 February); negative: later."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Return the age in whole years on `day` of someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

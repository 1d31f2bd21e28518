"""Ages and birth dates around birthdays and 29 February."""

import datetime

from protection.dates import age_on, years_before


def test_years_before_moves_29_february_to_28() -> None:
    assert years_before(datetime.date(2024, 2, 29), 1) == datetime.date(2023, 2, 28)
    assert years_before(datetime.date(2024, 2, 29), 4) == datetime.date(2020, 2, 29)
    assert years_before(datetime.date(2026, 11, 21), -2) == datetime.date(2028, 11, 21)


def test_age_turns_on_the_birthday_not_before() -> None:
    born = datetime.date(2008, 11, 21)
    assert age_on(born, datetime.date(2026, 11, 20)) == 17
    assert age_on(born, datetime.date(2026, 11, 21)) == 18

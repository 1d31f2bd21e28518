"""French: 30 novembre 2026 and 30 novembre 2026, 04:43.

The full month name: Django's French abbreviations cut juin and juillet to "jui" and "jul".
"""

from protection.formats.input import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"

__all__ = ["DATETIME_INPUT_FORMATS", "DATE_INPUT_FORMATS"]

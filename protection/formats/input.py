"""The typed date formats every language accepts: day first, then ISO 8601."""

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 30/11/2026: the first one is the one the form shows
    "%Y-%m-%d",  # 2026-11-30: ISO 8601, as printed on documents and sent by older pages
    "%d-%m-%Y",  # 30-11-2026
    "%d.%m.%Y",  # 30.11.2026
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",  # a day alone, when only the day is known: its midnight
    "%Y-%m-%d",
]

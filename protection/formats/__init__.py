"""One date format and one date-time format per language (settings.FORMAT_MODULE_PATH).

Django looks here before its own locale formats and falls back to them for everything not set
(number separators, first day of the week). A field officer reads a date once and must not
wonder whether 03/04 is March or April: the month is a word, the time is on 24 hours, and the
short formats are the long ones, so that a date reads the same on every page of one language.

Typed dates are day first everywhere (dd/mm/yyyy, the order of the field's paper forms), and
ISO 8601 (yyyy-mm-dd) is accepted in every language for whoever types it from a document.
"""

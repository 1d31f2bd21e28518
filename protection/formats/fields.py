"""A date typed in the page's language: a text input in the language's order, with its hint.

The browser's own date picker (`<input type="date">`) follows the browser's locale, not the
page's: a French page in an English browser asks for mm/dd/yyyy, and Chromium ignores the `lang`
attribute. A text input shows the order the page's language uses (DATE_INPUT_FORMATS' first
entry), says it under the field, brings up the digit keypad on phones, and the server reads
every format of the language, Arabic-Indic digits included.
"""

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext

# Arabic-Indic and Eastern Arabic-Indic digits, as an Arabic or Persian keyboard types them.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# The Arabic date separator and the fraction slash read as the slash the formats expect.
_SEPARATORS = str.maketrans({"\u060d": "/", "\u2044": "/", "\u2215": "/"})


def input_format() -> str:
    """Return the strptime format a date is shown in, in the current language: %d/%m/%Y."""
    return str(formats.get_format("DATE_INPUT_FORMATS")[0])


def datetime_input_format() -> str:
    """Return the strptime format a moment is shown in: %d/%m/%Y %H:%M."""
    return str(formats.get_format("DATETIME_INPUT_FORMATS")[0])


def format_hint(strptime_format: str | None = None) -> str:
    """Return a format in the current language's words: dd/mm/yyyy, jj/mm/aaaa, يوم/شهر/سنة."""
    parts = {
        "%d": pgettext("date format hint", "dd"),
        "%m": pgettext("date format hint", "mm"),
        "%Y": pgettext("date format hint", "yyyy"),
        "%H": pgettext("time format hint", "hh"),
        "%M": pgettext("time format hint", "mm"),
    }
    hint = strptime_format or input_format()
    for code, word in parts.items():
        hint = hint.replace(code, word)
    return hint


def _example(moment: bool) -> str:
    if moment:
        return timezone.localtime().strftime(datetime_input_format())
    return timezone.localdate().strftime(input_format())


def help_text(moment: bool = False) -> str:
    """Return the hint shown under a date field: the order and now as an example."""
    return gettext("Format: %(format)s, for example %(example)s") % {
        "format": format_hint(datetime_input_format() if moment else None),
        "example": _example(moment),
    }


lazy_help_text = lazy(help_text, str)


def _invalid(moment: bool, error: ValidationError) -> ValidationError:
    if moment:
        message = gettext("Enter the date and time as %(format)s, for example %(example)s.")
    else:
        message = gettext("Enter the date as %(format)s, for example %(example)s.")
    hint = format_hint(datetime_input_format() if moment else None)
    return ValidationError(message % {"format": hint, "example": _example(moment)}, code="invalid")


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().translate(_DIGITS).translate(_SEPARATORS)
    return value


class LocalDateInput(forms.DateInput):
    """A text input showing the date in the current language's first input format."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # No `format`: Django takes DATE_INPUT_FORMATS[0] of the language at render time.
        defaults = {"inputmode": "numeric", "autocomplete": "off", "size": "10", "maxlength": "10"}
        super().__init__(attrs={**defaults, **(attrs or {})})


class LocalDateField(forms.DateField):
    """A date field that reads what the user typed in the page's language, or ISO 8601."""

    widget = LocalDateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", lazy_help_text())
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        try:
            return super().to_python(_normalised(value))
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise _invalid(False, error) from error


class LocalDateTimeInput(forms.DateTimeInput):
    """A text input showing a moment as DATETIME_INPUT_FORMATS[0]: 30/11/2026 14:05."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"autocomplete": "off", "size": "16", "maxlength": "19"}
        super().__init__(attrs={**defaults, **(attrs or {})})


class LocalDateTimeField(forms.DateTimeField):
    """A moment typed day first on 24 hours (a day alone is read as its midnight), or ISO."""

    widget = LocalDateTimeInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", lazy_help_text(moment=True))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.datetime | None:
        try:
            # Django reads ISO 8601 first (2026-11-30T14:05), then the language's formats.
            return super().to_python(_normalised(value))
        except ValidationError as error:
            if error.code != "invalid":
                raise
            raise _invalid(True, error) from error

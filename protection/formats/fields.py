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


def format_hint() -> str:
    """Return the current language's order in words: dd/mm/yyyy, jj/mm/aaaa, يوم/شهر/سنة."""
    parts = {
        "%d": pgettext("date format hint", "dd"),
        "%m": pgettext("date format hint", "mm"),
        "%Y": pgettext("date format hint", "yyyy"),
    }
    hint = input_format()
    for code, word in parts.items():
        hint = hint.replace(code, word)
    return hint


def help_text() -> str:
    """Return the hint shown under a date field: the order and today's date as an example."""
    example = timezone.localdate().strftime(input_format())
    return gettext("Format: %(format)s, for example %(example)s") % {
        "format": format_hint(),
        "example": example,
    }


lazy_help_text = lazy(help_text, str)


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
        if isinstance(value, str):
            value = value.strip().translate(_DIGITS).translate(_SEPARATORS)
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "invalid":
                raise
            example = timezone.localdate().strftime(input_format())
            raise ValidationError(
                gettext("Enter the date as %(format)s, for example %(example)s.")
                % {"format": format_hint(), "example": example},
                code="invalid",
            ) from error

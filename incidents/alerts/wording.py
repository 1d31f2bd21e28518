"""An early warning in plain words, from its figures: "9 incidents in 24 hours; usually about 1".

The alert keeps the figures incidents.early_warning computed (observed count, window such as
"24h" or "7d", expected count, probability); an officer reads the count against what the site
usually sees, never a probability.
"""

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

_WINDOW = re.compile(r"^(?P<length>[0-9]+)(?P<unit>[hd])$")


def window_words(window: str) -> str:
    """Return the window in words: "24h" is "24 hours", "7d" is "7 days"."""
    match = _WINDOW.match(window)
    if match is None:
        return window
    length = int(match["length"])
    if match["unit"] == "h":
        return ngettext("%(count)s hour", "%(count)s hours", length) % {"count": length}
    return ngettext("%(count)s day", "%(count)s days", length) % {"count": length}


def usual_words(expected: float) -> str:
    """Return what the site usually sees in the window, rounded for a reader."""
    if expected < 0.5:
        return _("usually none")
    usual = round(expected)
    return ngettext("usually about %(count)s", "usually about %(count)s", usual) % {"count": usual}


def early_warning_summary(details: dict[str, Any]) -> str:
    """Return "9 incidents in 24 hours; usually about 1" from an early warning's details."""
    observed = int(details.get("observed") or 0)
    counted = ngettext(
        "%(count)s incident in %(window)s", "%(count)s incidents in %(window)s", observed
    ) % {"count": observed, "window": window_words(str(details.get("window", "")))}
    return _("%(counted)s; %(usual)s") % {
        "counted": counted,
        "usual": usual_words(float(details.get("expected") or 0)),
    }

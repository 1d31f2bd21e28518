"""The monitoring report as PDF, from the same HTML as its printable page (WeasyPrint).

WeasyPrint lays out right-to-left Arabic through Pango and needs a font with Arabic glyphs
(DejaVu Sans; .ci/run installs it where missing). It may read only the site's own static
files: any other address in the page is refused, so that rendering a report never makes the
server fetch from the network.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_PREFIX = "static:"


class ForbiddenResource(ValueError):
    """The report named a resource that is not one of the site's static files."""


def _static_only(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Serve static files from disk; refuse every other address."""
    prefix = settings.STATIC_URL or "/static/"
    if not url.startswith(STATIC_PREFIX):
        raise ForbiddenResource(url)
    relative = url.removeprefix(STATIC_PREFIX).removeprefix(prefix).lstrip("/")
    if not relative or ".." in relative.split("/"):
        raise ForbiddenResource(url)
    found = finders.find(relative.split("?")[0])
    if not found:
        raise ForbiddenResource(url)
    path = Path(found[0] if isinstance(found, list) else found)
    return {"string": path.read_bytes(), "mime_type": _mime_type(path)}


def _mime_type(path: Path) -> str:
    return {".css": "text/css", ".svg": "image/svg+xml"}.get(
        path.suffix, "application/octet-stream"
    )


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of a page of the site."""
    # Imported on use: it loads Pango, which only the report needs. It ships no type hints.
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=_static_only)
    pdf: bytes = document.write_pdf()
    return pdf

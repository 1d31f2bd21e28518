"""The monitoring report as PDF, from the same HTML as its printable page (WeasyPrint).

WeasyPrint lays out right-to-left Arabic through Pango and needs a font with Arabic glyphs
(DejaVu Sans; .ci/run installs it where missing). The stylesheet is read from the static
files and handed over as text, and the fetcher refuses every address, so that rendering a
report never makes the server read a file or the network on a page's say-so.
"""

from pathlib import Path

from django.contrib.staticfiles import finders

STYLESHEET = "css/report.css"


def _stylesheet() -> str:
    found = finders.find(STYLESHEET)
    path = Path(found[0] if isinstance(found, list) else str(found))
    return path.read_text(encoding="utf-8")


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of a page of the site, laid out with the report's stylesheet."""
    # Imported on use: it loads Pango, which only the report needs. It ships no type hints.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=set())
    document = HTML(string=html, base_url=None, url_fetcher=refuse_all)
    pdf: bytes = document.write_pdf(stylesheets=[CSS(string=_stylesheet(), url_fetcher=refuse_all)])
    return pdf

"""A supervisor filters the people list, exports it as XLSX (one row per person, with a
purpose) and as HXL figures, and opens both files (openpyxl, libhxl)."""

import io
import re

import hxl
import hxl.input
import openpyxl
import pytest

from protection.models import AccessLog
from tests.browser.session import sign_in_as
from tests.exports.conftest import register_people
from tests.factories import SiteFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _download(page, button: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_supervisor_exports_a_filtered_list_as_xlsx_and_hxl(
    live_server, page, agency, tmp_path
) -> None:
    site = SiteFactory(managing_agency=agency, name="Malakal PoC", code="MAL-POC")
    supervisor = UserFactory(agency=agency, role="supervisor", username="supervisor")
    register_people(supervisor, site, women=8, men=6)

    sign_in_as(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/registry/people/")

    page.locator("details.more-filters > summary").click()  # "More filters" fold away
    page.select_option('[name="sex"]', label="Male")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url(re.compile(r"sex=male"))
    page.get_by_role("link", name="Export").click()
    page.wait_for_url(re.compile(r"/exports/new/\?dataset=people.*sex=male"))
    page.screenshot(path=tmp_path / "export-page.png", full_page=True)

    page.get_by_label("Excel workbook (XLSX)").check()
    page.get_by_label("One row per record").check()
    page.select_option('[name="purpose"]', label="Exported for case management")
    workbook = openpyxl.load_workbook(io.BytesIO(_download(page, "Export")), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Registration number", "Household", "Site")
    assert len(rows) == 6
    assert {row[6] for row in rows} == {"male"}
    assert AccessLog.objects.filter(purpose="export_casework").count() == 6

    page.get_by_label("HXL (humanitarian exchange language, CSV)").check()
    page.get_by_label("Figures (counts, small counts hidden)").check()
    source = hxl.data(
        hxl.input.make_input(io.BytesIO(_download(page, "Export")), hxl.input.InputOptions())
    )
    assert "#affected+ind" in [column.display_tag for column in source.columns]
    totals = [row.get("#affected") for row in source if row.get("#loc+name") == "Total"]
    assert "6" in totals  # the six men, filtered as the list was


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", [(390, 844), (1280, 900)])
def test_the_export_page_renders_on_phone_and_desktop(
    live_server, page, agency, language, size, tmp_path
):
    supervisor = UserFactory(agency=agency, role="supervisor", username="supervisor")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in_as(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/registry/people/")
    if language == "ar":
        page.context.add_cookies(
            [{"name": "django_language", "value": "ar", "url": live_server.url}]
        )
    page.goto(f"{live_server.url}/exports/new/?dataset=people")
    assert page.locator("form.export-form button[type=submit]").is_visible()
    page.screenshot(path=tmp_path / f"export-{language}-{size[0]}.png", full_page=True)

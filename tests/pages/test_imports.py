"""The import pages: templates to download, upload, column mapping, dry run, report, commit."""

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from cases.models import ImportColumnMapping, ImportRow, ImportStatus, RegistryImport
from cases.registry.imports.commit import registry_import_commit
from cases.registry.imports.dry_run import registry_import_dry_run
from cases.registry.imports.files import template_headers
from tests.factories import register_household
from tests.imports.files import HEADERS, bad_and_duplicate_rows, csv_bytes, good_rows
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _body(response: Any) -> bytes:
    """Return a streamed (file, report) answer's body."""
    return b"".join(response.streaming_content)


def test_the_xlsx_template_has_the_columns_and_the_codes_on_a_second_sheet(
    officer: Any,
) -> None:
    client = signed_in(officer)
    client.cookies["django_language"] = "fr"
    answer = client.get(reverse("cases:import_template_xlsx"), HTTP_ACCEPT_LANGUAGE="fr")

    book = load_workbook(io.BytesIO(_body(answer)))
    people, codes = book.worksheets
    headers = [cell.value for cell in people[1]]
    with translation.override("fr"):
        assert headers == template_headers()
    listed = {(row[1]) for row in codes.iter_rows(min_row=2, values_only=True)}
    assert {"IDP", "SSD", "CR-AF", "female", "head", "passport"} <= listed


def test_the_csv_template_is_headed_in_arabic_for_an_arabic_reader(officer: Any) -> None:
    with translation.override("ar"):
        url = reverse("cases:import_template_csv")
    client = signed_in(officer)
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    header = next(csv.reader(io.StringIO(answer.content.decode())))
    assert len(header) == 23


def test_upload_a_filled_template_dry_run_commit_and_download_the_report(
    officer: Any, site: Any
) -> None:
    existing = register_household(actor=officer, site=site).members[0]
    client = signed_in(officer)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in good_rows() + bad_and_duplicate_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)

    answer = client.post(
        reverse("cases:import_list"),
        {"site": site.pk, "file": SimpleUploadedFile("arrivals.xlsx", buffer.getvalue())},
    )
    job = RegistryImport.objects.get()
    assert answer["Location"] == reverse("cases:import_detail", args=[job.pk])
    page = client.get(answer["Location"]).content.decode()
    assert "Run the dry run" in page

    client.post(reverse("cases:import_dry_run", args=[job.pk]))
    assert registry_import_dry_run(import_id=job.pk)
    status = client.get(reverse("cases:import_status", args=[job.pk])).json()
    assert status == {
        "status": "validated",
        "status_label": "Dry run done: ready to import",
        "percent": 100,
        "running": False,
    }
    page = client.get(reverse("cases:import_detail", args=[job.pk])).content.decode()
    assert "3 rows accepted" in page and "1 row refused" in page
    assert existing.registration_number in page  # the duplicate's match, by its code
    assert "Mohammed" not in page  # the report names rows, not people

    client.post(reverse("cases:import_commit", args=[job.pk]))
    assert registry_import_commit(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    report = client.get(reverse("cases:import_report", args=[job.pk]))
    lines = list(csv.reader(io.StringIO(_body(report).decode())))
    assert [line[1] for line in lines[1:]] == [
        "Imported",
        "Imported",
        "Imported",
        "Refused",
        "Held for review: possible duplicate",
    ]
    assert lines[4][3].startswith("Sex: woman is not one of the codes")


def test_a_file_with_unknown_headers_is_mapped_on_the_page_and_remembered(
    officer: Any, site: Any
) -> None:
    client = signed_in(officer)
    headers = ["Hh", *HEADERS[1:]]
    client.post(
        reverse("cases:import_list"),
        {"site": site.pk, "file": SimpleUploadedFile("f.csv", csv_bytes(good_rows(), headers))},
    )
    job = RegistryImport.objects.get()
    page = client.get(reverse("cases:import_detail", args=[job.pk])).content.decode()
    assert "The file has no column for: Household number in the file." in page

    fields = {f"column_{i}": job.mapping[h] for i, h in enumerate(job.headers)}
    answer = client.post(
        reverse("cases:import_detail", args=[job.pk]), {**fields, "column_0": "household_ref"}
    )
    assert answer.status_code == 302
    assert ImportColumnMapping.objects.get(header="hh").field_name == "household_ref"


def test_a_wrong_file_is_refused_on_the_form_and_nothing_is_written(
    officer: Any, site: Any
) -> None:
    client = signed_in(officer)
    answer = client.post(
        reverse("cases:import_list"),
        {"site": site.pk, "file": SimpleUploadedFile("photo.xlsx", b"\x89PNG....")},
    )
    assert answer.status_code == 200
    assert "This file is not an XLSX spreadsheet." in answer.content.decode()
    assert not RegistryImport.objects.exists() and not ImportRow.objects.exists()


def test_the_list_page_answers_in_a_fixed_number_of_queries(
    officer: Any, site: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(officer)
    for _ in range(3):
        client.post(
            reverse("cases:import_list"),
            {"site": site.pk, "file": SimpleUploadedFile("f.csv", csv_bytes(good_rows()))},
        )
    with django_assert_max_num_queries(14):
        page = client.get(reverse("cases:import_list")).content.decode()
    assert page.count("f.csv") == 3


@pytest.mark.django_db(transaction=True)
def test_the_officer_reviews_held_rows_registers_one_and_another_agency_gets_404(
    officer: Any, other_officer: Any, site: Any
) -> None:
    existing = register_household(actor=officer, site=site).members[0]
    client = signed_in(officer)
    client.post(
        reverse("cases:import_list"),
        {
            "site": site.pk,
            "file": SimpleUploadedFile("f.csv", csv_bytes(good_rows() + bad_and_duplicate_rows())),
        },
    )
    job = RegistryImport.objects.get()
    client.post(reverse("cases:import_dry_run", args=[job.pk]))
    assert registry_import_dry_run(import_id=job.pk)
    detail = client.get(reverse("cases:import_detail", args=[job.pk])).content.decode()
    assert reverse("cases:import_review", args=[job.pk]) in detail

    page = client.get(reverse("cases:import_review", args=[job.pk])).content.decode()
    assert "Row 6" in page and existing.registration_number in page
    assert "Register row 6 anyway" in page
    other = signed_in(other_officer)
    assert other.get(reverse("cases:import_review", args=[job.pk])).status_code == 404
    empty = client.post(reverse("cases:import_row_discard", args=[job.pk, 6]), {"reason": " "})
    assert empty.status_code == 302
    assert ImportRow.objects.get(registry_import=job, row_number=6).status == "duplicate"

    answer = client.post(reverse("cases:import_row_release", args=[job.pk, 6]), follow=True)

    row = ImportRow.objects.get(registry_import=job, row_number=6)
    assert row.status == "imported" and row.person is not None
    assert f"Row 6 registered as {row.person.registration_number}." in answer.content.decode()
    assert "No row is waiting for review." in answer.content.decode()

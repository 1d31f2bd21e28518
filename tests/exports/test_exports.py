"""Exports of the lists: aggregated by default, individual rows only for the allowed roles with
a purpose, in the caller's scope, streamed, and read back with openpyxl and libhxl."""

import csv
import datetime
import io
from typing import Any

import hxl
import hxl.input
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import DisplacedPerson
from incidents.models import Incident
from protection.exports import exports_sweep
from protection.models import AccessLog, AuditEvent, DataExport, ExportStatus
from protection.tasks import data_export_run_task
from tests import factories
from tests.exports.conftest import register_people
from tests.incidents.conftest import report
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

NEW = reverse("exports:new")


def _post(client: Any, query: str, **data: str) -> Any:
    return client.post(f"{NEW}?{query}", data)


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def test_the_default_export_of_people_is_figures_suppressed(officer, registry) -> None:
    client = signed_in(officer)
    page = client.get(NEW, {"dataset": "people"})
    assert page.status_code == 200
    assert page.context["form"]["level"].initial == "aggregated"
    response = _post(client, "dataset=people", file_format="csv", level="aggregated")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="people-aggregated')
    header, *rows = _csv(response)
    assert header[-1] == "People"
    counts = [row[-1] for row in rows]
    assert all(value == "<5" or int(value) == 0 or int(value) >= 5 for value in counts)
    assert ["Total"] * 5 + ["11"] in rows
    assert not any("Elsewhere" in row for row in rows)
    assert not any("Amina" in value for row in rows for value in row)
    assert AccessLog.objects.count() == 0  # figures name nobody
    assert AuditEvent.objects.filter(action="export.aggregated").count() == 1


def test_an_individual_export_is_xlsx_in_scope_and_logged_with_its_purpose(
    supervisor, registry
) -> None:
    response = _post(
        signed_in(supervisor),
        "dataset=people",
        file_format="xlsx",
        level="individual",
        purpose="export_casework",
    )
    assert response.status_code == 200
    assert response.streaming
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)), read_only=True)
    sheet = workbook.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Registration number", "Household", "Site")
    people = rows[1:]
    assert len(people) == 11
    assert {row[2] for row in people} == {"Kakuma One"}
    ours = set(DisplacedPerson.objects.filter(site__name="Kakuma One").values_list("pk", flat=True))
    logged = AccessLog.objects.filter(purpose="export_casework", user=supervisor)
    assert {int(pk) for pk in logged.values_list("object_id", flat=True)} == ours
    event = AuditEvent.objects.get(action="export.individual")
    assert event.changes["purpose"][1] == "export_casework"
    assert "Amina" not in str(event.changes)


def test_the_list_filters_narrow_the_export(supervisor, registry) -> None:
    response = _post(
        signed_in(supervisor),
        "dataset=people&sex=male&cursor=abc",
        file_format="csv",
        level="individual",
        purpose="export_verification",
    )
    _header, *rows = _csv(response)
    assert len(rows) == 3
    assert {row[6] for row in rows} == {"male"}
    assert AccessLog.objects.filter(purpose="export_verification").count() == 3


def test_an_individual_export_without_a_purpose_writes_nothing(supervisor, registry) -> None:
    response = _post(signed_in(supervisor), "dataset=people", file_format="csv", level="individual")
    assert response.status_code == 200
    assert "Say why you export these records" in response.content.decode()
    assert not DataExport.objects.exists()
    assert not AccessLog.objects.exists()


def test_a_bad_filter_is_shown_and_nothing_is_written(supervisor, registry) -> None:
    response = _post(
        signed_in(supervisor),
        "dataset=people&sex=dragon",
        file_format="csv",
        level="individual",
        purpose="export_casework",
    )
    assert response.status_code == 200
    assert not DataExport.objects.exists()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", ["case_worker", "analyst", "admin", "partner_api"])
def test_roles_without_the_action_get_figures_only(role, agency, registry) -> None:
    user = factories.UserFactory(agency=agency, role=role)
    client = signed_in(user)
    form = client.get(NEW, {"dataset": "people"}).context["form"]
    assert [value for value, _label in form.fields["level"].choices] == ["aggregated"]
    refused = _post(
        client, "dataset=people", file_format="csv", level="individual", purpose="export_casework"
    )
    assert refused.status_code == 200
    assert not AccessLog.objects.exists()
    assert client.get(NEW, {"dataset": "households"}).status_code == 404


def test_gbv_incidents_leave_only_with_designated_staff(
    officer, other_officer, other_agency, site
) -> None:
    site.operating_agencies.add(other_agency)
    report(officer, site=site, incident_type="abduction")
    report(officer, site=site, incident_type="gbv_rape")
    report(other_officer, site=site, incident_type="abduction")  # another agency, our site
    response = _post(
        signed_in(officer),
        "dataset=incidents",
        file_format="hxl",
        level="individual",
        purpose="export_verification",
    )
    source = hxl.data(hxl.input.make_input(io.BytesIO(_body(response)), hxl.input.InputOptions()))
    tags = [column.display_tag for column in source.columns]
    for tag in (
        "#event+id",
        "#event+type",
        "#date+occurred",
        "#loc+name",
        "#adm1+name",
        "#org+name",
    ):
        assert tag in tags
    rows = list(source)
    assert [row.get("#event+type") for row in rows] == ["abduction"]
    assert [row.get("#org") for row in rows] == ["MPU"]
    text = _body(
        _post(
            signed_in(officer),
            "dataset=incidents",
            file_format="csv",
            level="individual",
            purpose="export_verification",
        )
    ).decode()
    assert "Two men taken" not in text  # the narrative never leaves


def test_incident_figures_count_by_type_site_and_week(officer, site) -> None:
    for _ in range(6):
        report(officer, site=site, incident_type="abduction")
    response = _post(signed_in(officer), "dataset=incidents", file_format="hxl", level="aggregated")
    source = hxl.data(hxl.input.make_input(io.BytesIO(_body(response)), hxl.input.InputOptions()))
    assert [column.display_tag for column in source.columns] == [
        "#event+type",
        "#loc+name",
        "#date+week",
        "#event+num",
    ]
    rows = [row for row in source if row.get("#event+type") == "abduction"]
    assert any(
        row.get("#loc+name") == "Kakuma One" and row.get("#event+num") == "6" for row in rows
    )


def test_a_large_export_runs_in_the_background_and_expires(
    supervisor, other_officer, registry, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.EXPORT_STREAM_MAX_ROWS = 5
    settings.EXPORT_DIR = tmp_path
    client = signed_in(supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        response = _post(
            client,
            "dataset=people",
            file_format="csv",
            level="individual",
            purpose="export_services",
        )
    export = DataExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:detail", args=[export.pk])
    waiting = client.get(response["Location"])
    assert '<meta http-equiv="refresh"' in waiting.content.decode()

    assert data_export_run_task(export.pk) == ExportStatus.READY
    assert data_export_run_task(export.pk) == ExportStatus.READY  # twice: nothing more
    export.refresh_from_db()
    assert export.rows_done == 11 and export.percent == 100 and export.filters == {}
    assert AccessLog.objects.filter(purpose="export_services").count() == 11
    ready = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert reverse("exports:download", args=[export.pk]) in ready
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.streaming
    assert len(_body(download).decode("utf-8-sig").splitlines()) == 12

    stranger = signed_in(other_officer)
    assert stranger.get(reverse("exports:detail", args=[export.pk])).status_code == 404
    assert stranger.get(reverse("exports:download", args=[export.pk])).status_code == 404

    assert exports_sweep(now=timezone.now() + datetime.timedelta(hours=25)) == 1
    assert not list(tmp_path.iterdir())
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404


def test_an_individual_export_reads_in_chunks_not_per_row(
    supervisor, site, registry, django_assert_max_num_queries
) -> None:
    register_people(supervisor, site, women=15, men=15)
    client = signed_in(supervisor)
    with django_assert_max_num_queries(30):
        response = _post(
            client,
            "dataset=people",
            file_format="csv",
            level="individual",
            purpose="export_casework",
        )
        assert len(_csv(response)) == 42


def test_cases_export_leaves_confidential_cases_out(supervisor, registry) -> None:
    from tests.casework.conftest import open_case

    person, other = registry["ours"].members[:2]
    open_case(supervisor, person)
    open_case(supervisor, other, confidential=True)
    response = _post(
        signed_in(supervisor),
        "dataset=cases",
        file_format="csv",
        level="individual",
        purpose="export_casework",
    )
    _header, *rows = _csv(response)
    assert [row[1] for row in rows] == [person.registration_number]
    assert Incident.objects.count() == 0

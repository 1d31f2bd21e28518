"""Exports of the referrals inbox: what other agencies sent to the agency, as CSV, XLSX and HXL,
with the inbox's filters, carrying only what was shared; nothing sent elsewhere, ever."""

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

from cases.casework import referral_answers
from cases.models import Referral, SharedField
from partners.models import Sector, Service
from protection.models import AccessLog, AuditEvent, DataExport
from tests import factories
from tests.casepages.conftest import body
from tests.casework.conftest import consent, make_agreement, make_user, open_case, refer
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

NEW = reverse("exports:new")
QUERY = "dataset=referrals_received"


@pytest.fixture
def sent(worker, person, case, service, agreement, partner_worker) -> dict[str, Referral]:
    """Referrals sent to the partner (one sharing the name, one late sharing the sex only, one
    declined), and one sent to a third agency that the partner must never see."""
    named = refer(worker, case, service, shared_fields=[SharedField.FULL_NAME, SharedField.AGE])
    late = refer(
        worker,
        open_case(worker, person),
        service,
        shared_fields=[SharedField.SEX],
        consent=consent(scope=[SharedField.SEX]),
    )
    Referral.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    declined = refer(worker, open_case(worker, person), service)
    referral_answers.referral_decline(
        actor=partner_worker, referral=declined, reason="No capacity this month."
    )
    third: Any = factories.AgencyFactory(name="Third Agency", acronym="TRD")
    make_agreement(worker.agency, third)
    elsewhere_service = Service.objects.create(
        agency=third,
        name="Legal aid",
        sector=Sector.objects.get(code="gbv"),
        contact_email="legal@example.org",
    )
    elsewhere = refer(worker, open_case(worker, person), elsewhere_service)
    return {"named": named, "late": late, "declined": declined, "elsewhere": elsewhere}


def _export(client: Any, query: str = "", **data: str) -> Any:
    values = {"file_format": "csv", "level": "individual", "purpose": "export_services"}
    values.update(data)
    return client.post(f"{NEW}?{QUERY}{query}", values)


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:500]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_partner_exports_what_was_sent_to_it_and_only_what_was_shared(
    partner_supervisor, sent, person, case
) -> None:
    response = _export(signed_in(partner_supervisor))
    rows = _rows(response)
    by_code = {row["Referral code"]: row for row in rows}
    # Waiting or in progress, as the inbox shows by default: not the declined one.
    assert set(by_code) == {sent["named"].code, sent["late"].code}
    named, late = by_code[sent["named"].code], by_code[sent["late"].code]
    assert named["Name"] == person.full_name and named["Age"] != ""
    assert named["Sex"] == "" and named["Phone number"] == ""  # not shared
    assert late["Name"] == "" and late["Sex"] == person.sex
    assert named["From"] == sent["named"].from_agency.acronym
    text = str(rows)
    assert case.case_number not in text and "Needs medical care" not in text
    assert "No capacity" not in text
    logged = AccessLog.objects.filter(user=partner_supervisor, purpose="export_services")
    assert sorted(int(pk) for pk in logged.values_list("object_id", flat=True)) == sorted(
        [sent["named"].pk, sent["late"].pk]
    )


def test_the_export_honours_the_inboxs_filters(partner_supervisor, sent) -> None:
    client = signed_in(partner_supervisor)
    late = _rows(_export(client, "&overdue=on"))
    assert [row["Referral code"] for row in late] == [sent["late"].code]
    everything = {row["Referral code"] for row in _rows(_export(client, "&status=all"))}
    assert everything == {sent["named"].code, sent["late"].code, sent["declined"].code}
    declined = _rows(_export(client, "&status=declined"))
    assert [row["Referral code"] for row in declined] == [sent["declined"].code]


def test_the_inbox_button_carries_its_filters(partner_supervisor, sent) -> None:
    page = body(
        signed_in(partner_supervisor).get(reverse("cases:referral_inbox"), {"overdue": "on"})
    )
    assert f"{NEW}?dataset=referrals_received&amp;overdue=on" in page


def test_xlsx_and_hxl_read_back(partner_supervisor, sent, person) -> None:
    client = signed_in(partner_supervisor)
    workbook = _export(client, file_format="xlsx")
    content = b"".join(workbook.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Referral code" and len(values) == 3
    assert person.full_name in {cell for row in values for cell in row}

    response = _export(client, file_format="hxl")
    source = hxl.data(
        hxl.input.make_input(
            io.BytesIO(b"".join(response.streaming_content)), hxl.input.InputOptions()
        )
    )
    tags = [column.display_tag for column in source.columns]
    assert "#referral+id" in tags and "#beneficiary+name" in tags
    codes = {row.get("#referral+id") for row in source}
    assert codes == {sent["named"].code, sent["late"].code}


def test_nobody_else_exports_what_was_sent_to_the_partner(
    supervisor, other_officer, agency, sent
) -> None:
    # The sending agency's own inbox is empty: what it sent is in its referrals sent.
    assert _rows(_export(signed_in(supervisor), "&status=all")) == []
    assert _rows(_export(signed_in(other_officer), "&status=all")) == []
    third = make_user(sent["elsewhere"].to_agency, "supervisor", "third_supervisor")
    rows = _rows(_export(signed_in(third), "&status=all"))
    assert [row["Referral code"] for row in rows] == [sent["elsewhere"].code]


def test_a_case_worker_exports_figures_only(partner_worker, sent) -> None:
    client = signed_in(partner_worker)
    form = client.get(f"{NEW}?{QUERY}")
    assert 'value="individual"' not in body(form)
    assert _export(client).status_code == 200  # the form again, with its error
    assert not DataExport.objects.exists()
    figures = _rows(_export(client, level="aggregated"))
    totals = [row for row in figures if row["Service"] == "Total" and row["Status"] == "Total"]
    assert totals and totals[0]["Referrals"] == "<5"  # 2 waiting referrals


def test_a_bad_filter_is_a_field_error_and_nothing_is_written(partner_supervisor, sent) -> None:
    client = signed_in(partner_supervisor)
    events = AuditEvent.objects.count()
    response = _export(client, "&status=dragon")
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    assert not DataExport.objects.exists() and AuditEvent.objects.count() == events
    assert not AccessLog.objects.filter(purpose="export_services").exists()


def test_the_export_reads_in_chunks_not_per_referral(
    partner_supervisor, sent, worker, person, service, django_assert_max_num_queries
) -> None:
    for _index in range(6):
        refer(worker, open_case(worker, person), service)
    client = signed_in(partner_supervisor)
    with django_assert_max_num_queries(30):
        assert len(_rows(_export(client))) == 8

"""The data-subject report: everything held about a person, and who read the file.

State is made through the services; the report is read through the pages a protection officer
opens, and what it shows is checked as a person receiving it would read it.
"""

import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from cases.casework import services
from partners.models import Service
from protection.models import AccessLog
from tests import factories
from tests.casework.conftest import advance, make_user, open_case, refer
from tests.pages.conftest import signed_in
from tests.subject.conftest import PURPOSE

pytestmark = pytest.mark.django_db


def _url(name: str, person: Any, purpose: str | None = PURPOSE) -> str:
    url = reverse(f"cases:{name}", args=[person.pk])
    return f"{url}?purpose={purpose}" if purpose is not None else url


def _json(client: Any, person: Any) -> dict[str, Any]:
    response = client.get(_url("person_subject_report_json", person))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return dict(json.loads(response.content))


def test_the_report_lists_everyone_who_opened_the_file(officer, supervisor, person) -> None:
    signed_in(officer).get(person.get_absolute_url())
    signed_in(supervisor).get(person.get_absolute_url())

    response = signed_in(officer).get(_url("person_subject_report", person))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Who read the file" in page
    accesses = response.context["data"]["accesses"]
    readers = {(row["user"], row["purpose"]["code"], row["part"]["code"]) for row in accesses}
    assert ("supervisor", "detail", "") in readers
    assert ("officer", "detail", "") in readers
    # The report's own opening is listed, with the purpose the officer gave.
    assert ("officer", PURPOSE, "subject_report") in readers
    assert accesses[0]["user"] == "officer" and accesses[0]["purpose"]["code"] == PURPOSE
    assert "supervisor" in page and "Request from the person about their data" in page


def test_opening_the_report_logs_the_purpose_and_the_form(officer, person) -> None:
    client = signed_in(officer)
    client.get(_url("person_subject_report", person, purpose="legal"))
    client.get(_url("person_subject_report_json", person, purpose="dp_review"))

    rows = list(
        AccessLog.objects.filter(object_type="cases.displacedperson", object_id=str(person.pk))
        .order_by("id")
        .values_list("user__username", "purpose", "part", "channel")
    )
    assert rows == [
        ("officer", "legal", "subject_report", "web"),
        ("officer", "dp_review", "subject_report_json", "web"),
    ]


@pytest.mark.parametrize(
    "name", ["person_subject_report", "person_subject_report_pdf", "person_subject_report_json"]
)
def test_without_a_purpose_the_report_asks_for_one_and_logs_nothing(officer, person, name) -> None:
    client = signed_in(officer)
    before = AccessLog.objects.count()

    asked = client.get(_url(name, person, purpose=None))
    refused = client.get(_url(name, person, purpose="curiosity"))
    empty = client.get(_url(name, person, purpose=""))

    assert asked.status_code == 200
    assert "Why are you opening this report?" in asked.content.decode()
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert AccessLog.objects.count() == before


@pytest.mark.parametrize(
    "name",
    [
        "person_subject_report",
        "person_subject_report_pdf",
        "person_subject_report_json",
        "person_correct",
    ],
)
def test_another_agencys_officer_gets_404_and_nothing_is_logged(
    other_officer, person, name
) -> None:
    before = AccessLog.objects.count()
    assert signed_in(other_officer).get(_url(name, person)).status_code == 404
    assert signed_in(other_officer).get(_url(name, person, purpose=None)).status_code == 404
    assert AccessLog.objects.count() == before


def test_a_case_worker_may_not_open_the_report(agency, person) -> None:
    worker = make_user(agency, "case_worker", "caseworker")
    assert signed_in(worker).get(_url("person_subject_report", person)).status_code == 403
    assert signed_in(worker).get(person.get_absolute_url()).status_code == 200


def test_the_json_holds_registry_household_cases_referrals_and_incidents(
    officer, person, subject_case, subject_referral, subject_incident, household
) -> None:
    data = _json(signed_in(officer), person)

    assert (data["schema"], data["version"]) == ("protection.subject-report", 1)
    assert list(data) == [
        "schema",
        "version",
        "generated_at",
        "generated_by",
        "person",
        "household",
        "specific_needs",
        "identifiers",
        "photo_held",
        "corrections",
        "cases",
        "referrals",
        "incidents",
        "accesses",
    ]
    assert data["generated_by"]["purpose"]["code"] == PURPOSE
    assert data["person"]["registration_number"] == person.registration_number
    assert data["person"]["phone"] == "+211 900 000 001"
    assert data["person"]["sex"] == {"code": "female", "label": "Female"}
    # The household's other members by registration number only, never by name.
    child = household.members[1]
    assert data["household"]["members"] == [
        {
            "registration_number": child.registration_number,
            "relationship_to_head": {"code": "child", "label": "Son / daughter"},
        }
    ]
    assert child.given_name not in json.dumps(data["household"])
    [case] = data["cases"]
    assert case["case_number"] == subject_case.case_number
    assert case["role"]["code"] == "subject"
    assert case["assessments"][0]["safety_plan"] == "Fetch water with her sister, mornings only."
    [referral] = data["referrals"]
    assert referral["code"] == subject_referral.code
    assert referral["to_agency"] == "Women's Health Partner"
    assert {item["field"] for item in referral["shared"]} == {"full_name", "age", "phone"}
    [incident] = data["incidents"]
    assert incident["reference"] == subject_incident.reference
    assert incident["role"]["code"] == "victim"
    records = {row["record"] for row in data["accesses"]}
    assert {person.registration_number, subject_case.case_number, subject_referral.code} <= records


def test_the_report_shows_only_the_cases_the_officer_may_see(
    officer, supervisor, worker, person
) -> None:
    confidential = open_case(worker, person, case_type="gbv", risk_level="high")
    services.case_note_add(actor=worker, case=confidential, text="Disclosed on the third visit.")

    as_officer = _json(signed_in(officer), person)
    as_supervisor = _json(signed_in(supervisor), person)

    assert as_officer["cases"] == []
    assert [case["case_number"] for case in as_supervisor["cases"]] == [confidential.case_number]
    assert as_supervisor["cases"][0]["notes"][0]["text"] == "Disclosed on the third visit."


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_pdf_is_a_pdf_with_the_persons_registration_number(officer, person, language) -> None:
    client = signed_in(officer)
    client.cookies["django_language"] = language

    with translation.override(language):
        response = client.get(_url("person_subject_report_pdf", person))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/pdf"
    assert f"subject-report-{person.registration_number}.pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert person.registration_number in text
    # The labels are in the reader's language, Arabic glyphs included (shaped by pango).
    assert ("الجنس" if language == "ar" else "Sex") in text
    assert AccessLog.objects.filter(
        object_id=str(person.pk), part="subject_report_pdf", purpose=PURPOSE
    ).exists()


def test_the_page_is_right_to_left_in_arabic(officer, person) -> None:
    client = signed_in(officer)
    client.cookies["django_language"] = "ar"
    with translation.override("ar"):
        page = client.get(_url("person_subject_report", person)).content.decode()
    assert '<html lang="ar" dir="rtl">' in page


def test_the_reports_queries_do_not_grow_with_cases_referrals_or_reads(
    officer, person, worker, service, agreement
) -> None:
    second = Service.objects.create(
        agency=service.agency, name="Cash", sector=service.sector, contact_email="c@example.org"
    )
    client = signed_in(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url("person_subject_report", person))
        assert response.status_code == 200
        return len(captured)

    refer(worker, advance(worker, open_case(worker, person), "case_plan"), service)
    few = queries()
    for _ in range(2):
        case = advance(worker, open_case(worker, person), "case_plan")
        for each in (service, second):
            refer(worker, case, each)
    for _ in range(5):
        client.get(person.get_absolute_url())

    # Two of them read the identifiers and whether a photo is held.
    assert queries() == few <= 25
    data = client.get(_url("person_subject_report_json", person)).json()
    assert (len(data["cases"]), len(data["referrals"])) == (3, 5)


def test_the_person_page_offers_the_report_to_the_roles_that_may_open_it(officer, agency, person):
    page = signed_in(officer).get(person.get_absolute_url()).content.decode()
    assert reverse("cases:person_subject_report", args=[person.pk]) in page
    assert "Correct a field at the person" in page
    analyst_like = factories.UserFactory(agency=agency, role="case_worker", username="cw")
    page = signed_in(analyst_like).get(person.get_absolute_url()).content.decode()
    assert reverse("cases:person_subject_report", args=[person.pk]) not in page

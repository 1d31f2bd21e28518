"""A person's identity documents and biometric references through the API: add, list, find by
exact number, remove; the number is never in clear in the database or the audit trail."""

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import PersonIdentifier
from cases.registry.anonymisation import people_anonymise
from protection.models import AuditEvent
from tests.factories import register_household

pytestmark = pytest.mark.django_db

PASSPORT = {
    "kind": "document",
    "scheme": "passport",
    "number": "P 0042-117",
    "issuing_country": "SSD",
}
BIOMETRIC = {"kind": "biometric", "scheme": "UNHCR BIMS", "number": "BIMS-88123"}


def url(person) -> str:
    return f"/api/v1/persons/{person.pk}/identifiers/"


def _text_columns() -> str:
    """Every text value of every table of the project, as one string (to look for a number)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', "
            "'jsonb', 'json')"
        )
        columns = cursor.fetchall()
        values: list[str] = []
        for table, column in columns:
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT {quote(column)}::text FROM {quote(table)}")  # noqa: S608
            values.extend(str(value) for (value,) in cursor.fetchall() if value)
    return "\n".join(values)


def test_an_officer_adds_a_document_and_a_biometric_reference(officer_api, person) -> None:
    document = officer_api.post(url(person), PASSPORT, format="json")
    biometric = officer_api.post(url(person), BIOMETRIC, format="json")

    assert document.status_code == 201, document.json()
    assert biometric.status_code == 201, biometric.json()
    listed = officer_api.get(url(person)).json()["identifiers"]
    assert [(row["kind"], row["number"]) for row in listed] == [
        ("document", "P 0042-117"),
        ("biometric", "BIMS-88123"),
    ]
    assert listed[0]["issuing_country"] == "SSD"
    events = AuditEvent.objects.filter(action="person.identifier_add", object_id=str(person.pk))
    assert sorted(e.changes["identifier"][1] for e in events) == sorted(
        [document.json()["id"], biometric.json()["id"]]
    )


def test_the_number_is_never_in_clear_in_the_database(officer_api, person) -> None:
    officer_api.post(url(person), PASSPORT, format="json")
    officer_api.post(url(person), BIOMETRIC, format="json")

    everything = _text_columns()

    for clear in ("P 0042-117", "P0042117", "00421", "BIMS-88123", "88123"):
        assert clear not in everything
    stored = PersonIdentifier.objects.values_list("number", flat=True)
    assert sorted(stored) == ["BIMS-88123", "P 0042-117"]  # read back through the cipher


def test_exact_match_finds_the_person_however_the_number_is_typed(
    officer_api, other_officer, person, foreign_person, client_for
) -> None:
    officer_api.post(url(person), PASSPORT, format="json")
    other_api = client_for(other_officer)
    other_api.post(url(foreign_person), {**PASSPORT, "number": "X-999"}, format="json")

    def found(api, number):
        rows = api.get("/api/v1/persons/", {"document": number}).json()["results"]
        return [row["id"] for row in rows]

    assert found(officer_api, "p0042 117") == [person.pk]
    assert found(officer_api, "BIMS-88123") == []
    assert found(officer_api, "P 0042-11") == []  # no partial match
    # Another agency's person is not found, even by their exact number.
    assert found(officer_api, "X-999") == []
    assert found(other_api, "P 0042-117") == []


def test_another_agencys_person_and_identifiers_are_not_found(
    officer_api, other_officer, foreign_person, client_for
) -> None:
    theirs = client_for(other_officer).post(url(foreign_person), BIOMETRIC, format="json").json()

    assert officer_api.get(url(foreign_person)).status_code == 404
    assert officer_api.post(url(foreign_person), PASSPORT, format="json").status_code == 404
    delete = officer_api.delete(f"{url(foreign_person)}{theirs['id']}/")
    assert delete.status_code == 404
    assert PersonIdentifier.objects.count() == 1


def test_an_identifier_of_another_person_is_not_found_under_this_one(
    officer_api, officer, site, person
) -> None:
    other = register_household(
        actor=officer, site=site, members=[{"given_name": "Nyabol", "family_name": "Deng"}]
    ).members[0]
    theirs = officer_api.post(url(other), BIOMETRIC, format="json").json()

    assert officer_api.delete(f"{url(person)}{theirs['id']}/").status_code == 404
    assert officer_api.delete(f"{url(other)}{theirs['id']}/").status_code == 204
    assert not PersonIdentifier.objects.exists()
    assert AuditEvent.objects.filter(action="person.identifier_remove").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"issuing_country": "XXX"}, "issuing_country"),
        ({"scheme": "library_card"}, "scheme"),
        ({"number": "  "}, "number"),
        ({"kind": "fingerprint"}, "kind"),
        ({"kind": "biometric"}, "issuing_country"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(officer_api, person, change, field) -> None:
    response = officer_api.post(url(person), {**PASSPORT, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not PersonIdentifier.objects.exists()
    assert not AuditEvent.objects.filter(action="person.identifier_add").exists()


def test_the_same_number_twice_is_refused(officer_api, person) -> None:
    officer_api.post(url(person), PASSPORT, format="json")

    again = officer_api.post(url(person), {**PASSPORT, "number": "p0042117"}, format="json")

    assert again.status_code == 400
    assert "number" in again.json()
    assert PersonIdentifier.objects.count() == 1


def test_anonymising_the_person_removes_the_identifiers(officer_api, person) -> None:
    officer_api.post(url(person), PASSPORT, format="json")

    people_anonymise(actor=None, ids=[person.pk], today=timezone.localdate(), kind="erasure")

    assert not PersonIdentifier.objects.exists()

"""The data migration that redacts the values and names older audit rows copied."""

import importlib
import json
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from protection.audit_chain import chain_append
from protection.audit_values import is_value_hash, value_hash
from protection.models import AuditEvent, Channel
from tests import factories

pytestmark = pytest.mark.django_db

MIGRATION = "0004_audit_redact_values"


def _old_row(obj: Any, action: str, object_repr: str, changes: dict[str, Any]) -> AuditEvent:
    """Insert an audit row the way audit_record wrote them before: values and names in clear."""
    row = AuditEvent(
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=object_repr,
        changes=changes,
        channel=Channel.WEB,
    )
    return chain_append([row])[0]


def _run_migration() -> None:
    module = importlib.import_module(f"protection.migrations.{MIGRATION}")
    state = MigrationExecutor(connection).loader.project_state(("protection", MIGRATION))
    with connection.schema_editor() as editor:
        module.redact(state.apps, editor)


def test_the_migration_redacts_narratives_and_names_and_keeps_safe_values(
    officer: Any, site: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    registered = _old_row(
        person,
        "person.register",
        "Amina Mohammed (P-OLD)",
        {
            "given_name": [None, "Amina"],
            "phone": [None, "+211 912 345 678"],
            "date_of_birth": [None, "1990-05-17"],
            "status": [None, "active"],
            "site": [None, site.pk],
            "specific_needs": [None, ["WR-LC"]],
        },
    )
    noted = _old_row(
        site,
        "site.update",
        "Bentiu PoC (BEN-01)",
        {"name": ["Bentiu", "Bentiu PoC"], "capacity": [1000, 1500], "notes": ["", "Flooded."]},
    )
    user_row = _old_row(officer, "user.update", "Grace Akol", {"first_name": ["G", "Grace"]})

    _run_migration()

    rows = {row.pk: row for row in AuditEvent.objects.all()}
    stored = json.dumps([[r.changes, r.object_repr] for r in rows.values()])
    for text in ("Amina", "Mohammed", "912 345", "1990-05-17", "Flooded", "Grace"):
        assert text not in stored, text
    person_row = rows[registered.pk]
    assert person_row.object_repr == person.registration_number
    assert person_row.changes["status"] == [None, "active"]
    assert person_row.changes["site"] == [None, site.pk]
    assert person_row.changes["specific_needs"] == [None, ["WR-LC"]]
    assert person_row.changes["given_name"] == [None, value_hash("given_name", "Amina")]
    assert set(person_row.changes) == set(registered.changes)
    site_row = rows[noted.pk]
    assert site_row.object_repr == site.code
    assert site_row.changes["name"] == ["Bentiu", "Bentiu PoC"]  # a place, not a person
    assert site_row.changes["capacity"] == [1000, 1500]
    assert site_row.changes["notes"][0] == "" and is_value_hash(site_row.changes["notes"][1])
    assert rows[user_row.pk].object_repr == f"accounts.user #{officer.pk}"


def test_rows_written_today_come_out_of_the_migration_unchanged(officer: Any, site: Any) -> None:
    factories.register_household(actor=officer, site=site)
    before = list(AuditEvent.objects.order_by("pk").values("changes", "object_repr"))

    _run_migration()

    assert list(AuditEvent.objects.order_by("pk").values("changes", "object_repr")) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_table_is_append_only_again_after_the_migration(officer: Any) -> None:
    row = _old_row(officer, "user.update", "Grace Akol", {})

    _run_migration()

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE protection_auditevent SET object_repr = 'x' WHERE id = %s", [row.pk])

"""The upgrade encrypts the rows written in clear, batch by batch, and can be resumed or undone."""

import importlib
import json
from typing import Any

from django.db import connection

from cases.models import CaseNote, Referral
from protection.crypto import cipher
from protection.crypto.columns import EncryptedColumn, encrypt_clear_values
from tests.casework.conftest import (
    agreement,
    case,
    household,
    partner,
    person,
    refer,
    service,
    worker,
)

__all__ = ["agreement", "case", "household", "partner", "person", "service", "worker"]

ENCRYPTING = importlib.import_module("cases.migrations.0008_crypt_encrypt_narratives")


def _raw(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _written_in_clear(case: Any, count: int) -> list[int]:
    """Insert notes as the release before encryption wrote them; return their ids."""
    return [
        row[0]
        for number in range(count)
        for row in _raw(
            "INSERT INTO cases_casenote (case_id, text, author_id, created_at) "
            "VALUES (%s, %s, %s, now()) RETURNING id",
            [case.pk, f"Old note {number}: she sleeps at her aunt's.", case.created_by_id],
        )
    ]


def _run(direction: str) -> None:
    operation = ENCRYPTING.Migration.operations[-1]
    code = operation.code if direction == "forward" else operation.reverse_code
    with connection.schema_editor() as editor:
        code(None, editor)


def test_the_migration_encrypts_old_rows_and_reads_them_back(
    case: Any, service: Any, worker: Any, agreement: Any
) -> None:
    ids = _written_in_clear(case, 5)
    referral = refer(worker, case, service)
    shared = referral.shared_data
    # The jsonb column became text: what it held reads as the document's JSON text.
    _raw(
        "UPDATE cases_referral SET shared_data = %s WHERE id = %s",
        [json.dumps(shared), referral.pk],
    )

    _run("forward")

    stored = [v for (v,) in _raw("SELECT text FROM cases_casenote WHERE id = ANY(%s)", [ids])]
    assert len(stored) == 5 and all(v.startswith("enc:v1:dev:") for v in stored)
    assert not any("aunt" in v for v in stored)
    assert sorted(n.text for n in CaseNote.objects.filter(pk__in=ids)) == [
        f"Old note {number}: she sleeps at her aunt's." for number in range(5)
    ]
    assert Referral.objects.get(pk=referral.pk).shared_data == shared

    # Going back puts every value in clear again, ready for the column to become jsonb.
    _run("backward")
    clear = [v for (v,) in _raw("SELECT text FROM cases_casenote WHERE id = ANY(%s)", [ids])]
    assert sorted(clear) == [f"Old note {number}: she sleeps at her aunt's." for number in range(5)]
    (document,) = _raw("SELECT shared_data FROM cases_referral WHERE id = %s", [referral.pk])[0]
    assert json.loads(document) == shared
    _run("forward")


def test_a_run_stopped_after_a_batch_resumes_with_the_rows_still_in_clear(case: Any) -> None:
    ids = _written_in_clear(case, 5)
    column = EncryptedColumn(table="cases_casenote", column="text", pk="id")

    batches = encrypt_clear_values(column, batch_size=2)
    first = next(batches)  # the process dies here, its first batch committed
    assert first.changed == 2
    kinds = [cipher.is_encrypted(v) for (v,) in _raw("SELECT text FROM cases_casenote ORDER BY id")]
    assert kinds == [True, True, False, False, False]

    done = list(encrypt_clear_values(column, batch_size=2))

    assert [b.changed for b in done] == [2, 1]
    assert all(cipher.is_encrypted(v) for (v,) in _raw("SELECT text FROM cases_casenote"))
    assert list(encrypt_clear_values(column, batch_size=2)) == []
    assert len({n.text for n in CaseNote.objects.filter(pk__in=ids)}) == 5

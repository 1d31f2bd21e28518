"""The cipher and the keyring under the encrypted fields: what is refused, and how it says so."""

import base64
import os

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, transaction
from django.test import override_settings

from cases.models import CaseNote
from protection.crypto import cipher, keyring
from protection.crypto.cipher import DecryptionError
from protection.crypto.keyring import KeyringError, parse_keys, production_keys
from tests.casework.conftest import case, household, person, worker

__all__ = ["case", "household", "person", "worker"]


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_a_value_round_trips_and_names_the_primary_key() -> None:
    ring = parse_keys(f"k2:{new_key()},k1:{new_key()}")
    stored = cipher.encrypt("Beaten at the water point.", table="t", column="c", ring=ring)

    assert stored.startswith("enc:v1:k2:")
    assert "water" not in stored
    assert cipher.decrypt(stored, table="t", column="c", ring=ring) == "Beaten at the water point."
    # Random nonces: the same text never gives the same stored value twice.
    assert stored != cipher.encrypt("Beaten at the water point.", table="t", column="c", ring=ring)


def test_a_value_moved_to_another_column_or_table_is_refused() -> None:
    ring = parse_keys(f"k1:{new_key()}")
    stored = cipher.encrypt("Safety plan: stay with her aunt.", table="t", column="a", ring=ring)

    with pytest.raises(DecryptionError, match="copied from another column"):
        cipher.decrypt(stored, table="t", column="b", ring=ring)
    with pytest.raises(DecryptionError, match="copied from another column"):
        cipher.decrypt(stored, table="u", column="a", ring=ring)


def test_a_tampered_value_is_refused() -> None:
    ring = parse_keys(f"k1:{new_key()}")
    stored = cipher.encrypt("Referred to the clinic.", table="t", column="c", ring=ring)
    head, token = stored.rsplit(":", 1)
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]

    with pytest.raises(DecryptionError, match="fails authentication under the key 'k1'"):
        cipher.decrypt(f"{head}:{flipped}", table="t", column="c", ring=ring)
    with pytest.raises(DecryptionError, match="damaged"):
        cipher.decrypt(f"{head}:", table="t", column="c", ring=ring)


def test_a_value_under_a_key_no_longer_listed_says_which_key() -> None:
    old = parse_keys(f"old:{new_key()}")
    stored = cipher.encrypt("Threatened by a neighbour.", table="t", column="c", ring=old)
    current = parse_keys(f"new:{new_key()}")

    with pytest.raises(DecryptionError, match="under the key 'old', which PROTECTION_FIELD_KEYS"):
        cipher.decrypt(stored, table="t", column="c", ring=current)


def test_the_same_kid_with_the_wrong_key_fails_authentication() -> None:
    stored = cipher.encrypt("x", table="t", column="c", ring=parse_keys(f"k1:{new_key()}"))

    with pytest.raises(DecryptionError, match="fails authentication"):
        cipher.decrypt(stored, table="t", column="c", ring=parse_keys(f"k1:{new_key()}"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "lists no key"),
        ("k1", "must be 'kid:base64key'"),
        ("bad kid!:AAAA", "must be 'kid:base64key'"),
        ("k1:c2hvcnQ=", "is 5 bytes; AES-256 needs 32"),
        ("k1:%%%", "is not base64"),
        (
            f"k1:{base64.b64encode(bytes(32)).decode()},k1:{base64.b64encode(bytes(range(32))).decode()}",
            "listed twice",
        ),
    ],
    # Fixed keys: the test's id must be the same in every pytest-xdist worker.
    ids=["empty", "no-key", "bad-kid", "short", "not-base64", "listed-twice"],
)
def test_a_malformed_key_list_is_refused_clearly(spec: str, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        parse_keys(spec)


def test_url_safe_and_unpadded_keys_are_accepted() -> None:
    raw = os.urandom(32)
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert parse_keys(f"k1:{encoded}").primary_key == raw


def test_production_refuses_missing_keys_and_the_development_key() -> None:
    with pytest.raises(ImproperlyConfigured, match="must be set in production"):
        production_keys("")
    with pytest.raises(ImproperlyConfigured, match="reserved for the development key"):
        production_keys(keyring.development_keys("any secret"))
    with pytest.raises(ImproperlyConfigured, match="is 5 bytes"):
        production_keys("k1:c2hvcnQ=")
    assert production_keys(f"k1:{new_key()}").primary_kid == "k1"


def test_the_development_key_depends_on_the_secret_key() -> None:
    one = keyring.development_keys("secret one")
    assert one.startswith("dev:")
    assert (
        parse_keys(one).primary_key
        != parse_keys(keyring.development_keys("secret two")).primary_key
    )


@pytest.mark.django_db
def test_without_keys_an_encrypted_field_can_be_neither_written_nor_read(case) -> None:
    note = CaseNote.objects.create(case=case, text="A note", author=case.created_by)
    with (
        override_settings(PROTECTION_FIELD_KEYS=""),
        pytest.raises(KeyringError, match="PROTECTION_FIELD_KEYS is not set"),
        transaction.atomic(),
    ):
        CaseNote.objects.create(case=case, text="Another note", author=case.created_by)
    assert CaseNote.objects.count() == 1
    with (
        override_settings(PROTECTION_FIELD_KEYS=""),
        pytest.raises(KeyringError, match="PROTECTION_FIELD_KEYS is not set"),
    ):
        CaseNote.objects.get(pk=note.pk)


@pytest.mark.django_db
def test_the_database_refuses_to_search_an_encrypted_column(case) -> None:
    with pytest.raises(FieldError, match="stored encrypted: the lookup 'icontains'"):
        list(CaseNote.objects.filter(text__icontains="water"))
    with pytest.raises(FieldError, match="only be compared with the empty string"):
        list(CaseNote.objects.filter(text="water"))
    # Whether something was written is all the database can still tell.
    CaseNote.objects.create(case=case, text="Her brother threatens her.", author=case.created_by)
    assert CaseNote.objects.filter(case=case).exclude(text="").count() == 1
    assert not CaseNote.objects.filter(case=case, text="").exists()


@pytest.mark.django_db
def test_a_ciphertext_copied_into_another_row_column_or_tampered_is_refused(case) -> None:
    note = CaseNote.objects.create(
        case=case, text="Her brother threatens her.", author=case.created_by
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [note.pk])
        (stored,) = cursor.fetchone()
        # Into another column: the case's summary.
        cursor.execute(
            "UPDATE cases_protectioncase SET summary = %s WHERE id = %s", [stored, case.pk]
        )
    with pytest.raises(
        DecryptionError, match=r"cases_protectioncase\.summary .* copied from another"
    ):
        type(case).objects.get(pk=case.pk)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_casenote SET text = %s WHERE id = %s", [stored[:-6] + "AAAAAA", note.pk]
        )
    with pytest.raises(DecryptionError, match="fails authentication"):
        CaseNote.objects.get(pk=note.pk)

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_casenote SET text = 'in clear' WHERE id = %s", [note.pk])
    with pytest.raises(DecryptionError, match="not encrypted"):
        CaseNote.objects.get(pk=note.pk)

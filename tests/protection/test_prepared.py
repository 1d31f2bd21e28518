"""Prepared statements (protection/prepared.py): planned once per connection, prepared again
on a new connection, and never left half-known after an error."""

import pytest
from django.db import DatabaseError, connection, transaction

from protection.prepared import execute_prepared, numbered

pytestmark = pytest.mark.django_db(transaction=True)

STATEMENT = "SELECT %s::int + %s::int, '100%%'"


def _prepared_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
        return [name for (name,) in cursor.fetchall()]


def _run(first: int, second: int) -> tuple[int, str]:
    with connection.cursor() as cursor:
        execute_prepared(connection, cursor, STATEMENT, [first, second])
        return cursor.fetchone()


def test_placeholders_are_numbered_and_percent_signs_stay_escaped() -> None:
    assert numbered(STATEMENT) == ("SELECT $1::int + $2::int, '100%%'", 2)


def test_a_statement_is_prepared_once_and_run_with_each_calls_parameters() -> None:
    connection.close()
    assert _run(1, 2) == (3, "100%")
    assert len(_prepared_names()) == 1
    assert _run(40, 2) == (42, "100%")
    assert len(_prepared_names()) == 1  # run again, not prepared again


def test_a_new_connection_prepares_it_again() -> None:
    assert _run(1, 1) == (2, "100%")
    connection.close()  # Django opens a new session: nothing is prepared there
    assert _prepared_names() == []
    assert _run(2, 2) == (4, "100%")


def test_an_error_in_the_first_run_leaves_the_next_call_working() -> None:
    connection.close()
    with pytest.raises(DatabaseError), transaction.atomic():
        _run(2_000_000_000, 2_000_000_000)  # integer out of range, after the PREPARE
    assert _run(5, 5) == (10, "100%")
    assert len(_prepared_names()) == 1


def test_a_parameter_count_that_does_not_match_is_refused() -> None:
    with pytest.raises(ValueError), connection.cursor() as cursor:
        execute_prepared(connection, cursor, STATEMENT, [1])

"""The audit hash chain: verify passes on an untouched trail and names the row that was touched."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from protection import audit
from protection.audit import access_log_record, audit_record
from protection.audit_chain import (
    ACCESS_CHAIN,
    AUDIT_CHAIN,
    CHAIN_FIELDS,
    GENESIS,
    chain_head,
    row_digest,
)
from protection.audit_verify import chain_verify
from protection.models import AccessLog, AuditEvent, Channel
from tests.factories import register_household

pytestmark = pytest.mark.django_db


@contextmanager
def owner_bypass(model: type[AuditEvent] | type[AccessLog]) -> Iterator[Any]:
    """Do what only the database owner can: write around the append-only trigger."""
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE waits for nothing pending: check the test's deferred foreign keys now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
        yield cursor
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def verify(*args: str) -> tuple[str, str]:
    """Run audit_verify; return (stdout, stderr); raise CommandError when it fails."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError:
        raise CommandError(err.getvalue()) from None
    return out.getvalue(), err.getvalue()


@pytest.fixture
def trail(officer: Any, site: Any) -> list[AuditEvent]:
    """A household registration (several events) and reads of its members."""
    household = register_household(
        actor=officer,
        site=site,
        members=[
            {"given_name": "Amina", "relationship_to_head": "head"},
            {"given_name": "Akol", "relationship_to_head": "child", "sex": "male"},
            {"given_name": "Deng", "relationship_to_head": "child", "sex": "male"},
        ],
    )
    for person in household.members:
        access_log_record(user=officer, objects=[person])
    access_log_record(user=officer, objects=household.members)
    return list(AuditEvent.objects.order_by("seq"))


def test_rows_carry_consecutive_seq_and_link_to_the_row_before(trail) -> None:
    assert len(trail) >= 3
    assert [event.seq for event in trail] == list(range(1, len(trail) + 1))
    assert trail[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(trail):
        assert after.prev_hash == before.row_hash
        assert after.id > before.id
    reads = list(AccessLog.objects.order_by("seq"))
    assert [read.seq for read in reads] == list(range(1, len(reads) + 1))
    assert chain_head(AUDIT_CHAIN, using="default") == (trail[-1].seq, trail[-1].row_hash)


def test_verify_passes_on_an_untouched_trail(trail) -> None:
    reads = AccessLog.objects.count()

    out, err = verify()

    assert f"OK audit events: {len(trail)} rows checked (seq 1..{len(trail)})" in out
    assert f"OK record access log: {reads} rows checked (seq 1..{reads})" in out
    assert err == ""


def test_verify_names_an_altered_row_and_fails(trail) -> None:
    target = trail[1]
    with owner_bypass(AuditEvent) as cursor:
        cursor.execute(
            "UPDATE protection_auditevent SET changes = '{}'::jsonb WHERE id = %s", [target.pk]
        )

    with pytest.raises(CommandError) as failure:
        verify("--table", "audit")

    message = str(failure.value)
    assert f"row id {target.pk} (seq {target.seq}): its content does not match its hash" in message
    assert message.count("row id") == 1  # the rows after it still link: one break, not many


def test_verify_names_the_row_after_a_removed_one(trail) -> None:
    removed, after = trail[1], trail[2]
    with owner_bypass(AuditEvent) as cursor:
        cursor.execute("DELETE FROM protection_auditevent WHERE id = %s", [removed.pk])

    with pytest.raises(CommandError) as failure:
        verify()

    assert (
        f"row id {after.pk} (seq {after.seq}): seq {removed.seq} to {removed.seq} are missing "
        "(rows removed)"
    ) in str(failure.value)


def test_verify_names_a_row_inserted_with_a_wrong_seq(trail, officer) -> None:
    read = AccessLog.objects.order_by("-seq").first()
    assert read is not None
    forged = {name: getattr(read, name) for name in ACCESS_CHAIN.content}
    seq = read.seq + 5  # linked to the real head, hashed correctly, but out of place
    row_hash = row_digest(ACCESS_CHAIN, seq=seq, prev_hash=read.row_hash, values=forged)
    columns = ", ".join([*forged, "seq", "prev_hash", "row_hash"])  # the model's own names
    placeholders = ", ".join(["%s"] * (len(forged) + 3))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO protection_accesslog ({columns}) VALUES ({placeholders}) RETURNING id",  # noqa: S608
            [*forged.values(), seq, read.row_hash, row_hash],
        )
        forged_id = cursor.fetchone()[0]

    with pytest.raises(CommandError) as failure:
        verify("--table", "access")

    assert (
        f"row id {forged_id} (seq {seq}): seq {read.seq + 1} expected, yet it links to the row "
        "before it (row inserted with a wrong seq)"
    ) in str(failure.value)


def test_verify_names_a_rehashed_row_by_the_link_it_broke(trail) -> None:
    target, after = trail[1], trail[2]
    values = {name: getattr(target, name) for name in AUDIT_CHAIN.content}
    values["object_repr"] = "someone else"
    rehashed = row_digest(AUDIT_CHAIN, seq=target.seq, prev_hash=target.prev_hash, values=values)
    with owner_bypass(AuditEvent) as cursor:
        cursor.execute(
            "UPDATE protection_auditevent SET object_repr = %s, row_hash = %s WHERE id = %s",
            [values["object_repr"], rehashed, target.pk],
        )

    report = chain_verify(AUDIT_CHAIN)

    assert [(b.row_id, b.problems) for b in report.breaks] == [
        (
            after.pk,
            (
                "it does not link to the row before it (a row was removed and the rest "
                "renumbered, or this one was inserted out of order)",
            ),
        )
    ]


def test_the_database_refuses_a_second_row_at_the_same_seq(trail) -> None:
    head = trail[-1]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO protection_auditevent (created_at, actor_id, agency_id, action, "
            "object_type, object_id, object_repr, changes, channel, seq, prev_hash, row_hash) "
            "SELECT created_at, actor_id, agency_id, 'forked', object_type, object_id, "
            "object_repr, changes, channel, seq, prev_hash, row_hash "
            "FROM protection_auditevent WHERE id = %s",
            [head.pk],
        )


def test_from_seq_checks_only_the_rows_after_a_known_point(trail) -> None:
    with owner_bypass(AuditEvent) as cursor:
        cursor.execute("UPDATE protection_auditevent SET action = 'x' WHERE id = %s", [trail[0].pk])

    out, _err = verify("--table", "audit", "--from-seq", "2")

    assert f"OK audit events: {len(trail) - 1} rows checked (seq 2..{len(trail)})" in out
    with pytest.raises(CommandError, match=f"row id {trail[0].pk} "):
        verify("--table", "audit")


def test_hashes_survive_the_database_round_trip_of_awkward_values(officer, site) -> None:
    token = audit._context.set(
        audit.RequestContext(channel=Channel.API, ip_address="2001:DB8:0:0::1")
    )
    try:
        audit_record(
            actor=officer,
            action="site.update",
            obj=site,
            changes={
                "score": [0.1, 2.0],
                "big": [1e20, 1e-7],
                "name": ["Kakuma", "كاكوما ✓"],
                "nested": [{"b": 1, "a": [True, None]}, {}],
            },
        )
    finally:
        audit._context.reset(token)

    assert chain_verify(AUDIT_CHAIN).ok
    assert AuditEvent.objects.get().ip_address == "2001:db8::1"


@pytest.mark.parametrize("model", [AuditEvent, AccessLog])
def test_every_column_is_covered_by_the_hash(model) -> None:
    chain = AUDIT_CHAIN if model is AuditEvent else ACCESS_CHAIN
    columns = {f.attname for f in model._meta.concrete_fields}
    # A new column must be added to the chain's content on purpose (and the chain re-versioned).
    assert columns == {"id", *CHAIN_FIELDS, *chain.content}

"""Which database a read goes to (protection/replicas.py), without a replica running.

The integration test (tests/integration/test_read_replicas.py) runs a real streaming replica;
these check each rule of the router on its own, with a replica alias that mirrors the test
database and no query sent to it.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from camps.models import Site
from cases.models import DisplacedPerson
from protection import replicas
from protection.accounts.models import User
from protection.models import AuditEvent
from protection.replicas import REPLICA_COOKIE, replica_reads

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica() -> Iterator[str]:
    """A replica alias configured (it mirrors the test database)."""
    connections.settings["replica1"] = connections.settings["default"]
    try:
        yield "replica1"
    finally:
        del connections.settings["replica1"]


def test_without_a_replica_everything_reads_from_default() -> None:
    assert replicas.replica_aliases() == []
    with replica_reads():
        assert DisplacedPerson.objects.all().db == "default"


# Outside the test's own transaction: inside one, every read goes to the primary.
@pytest.mark.django_db(transaction=True)
def test_allowed_reads_of_records_go_to_a_replica(replica: str) -> None:
    assert DisplacedPerson.objects.all().db == "default"  # not allowed: a plain read
    with replica_reads():
        assert DisplacedPerson.objects.all().db == replica
        assert Site.objects.all().db == replica
        # Sessions, users and the audit trail: always the primary.
        assert User.objects.all().db == "default"
        assert AuditEvent.objects.all().db == "default"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_and_after_a_write_go_to_the_primary(
    replica: str, site: Any
) -> None:
    with replica_reads():
        with transaction.atomic():
            assert DisplacedPerson.objects.all().db == "default"
        assert DisplacedPerson.objects.all().db == replica
        Site.objects.filter(pk=site.pk).update(capacity=site.capacity)  # a write
        assert DisplacedPerson.objects.all().db == "default"


def test_a_write_request_marks_the_client_for_the_primary(
    replica: str, client: Client, officer: Any, site: Any
) -> None:
    client.force_login(officer)
    response = client.get(reverse("camps:list"))
    assert REPLICA_COOKIE not in response.cookies  # a read marks nothing
    response = client.post(reverse("camps:list"))  # refused (GET only), but not a safe method
    assert response.cookies[REPLICA_COOKIE]["max-age"] == 10


def test_list_pages_and_api_lists_are_replica_reads(replica: str, rf: Any) -> None:
    from django.urls import resolve

    for path, expected in [
        (reverse("camps:list"), True),
        (reverse("cases:person_list"), True),
        ("/api/v1/persons/", True),
        ("/api/v1/persons/1/", False),
        (reverse("cases:household_register"), False),
    ]:
        request = rf.get(path)
        request.resolver_match = resolve(path)
        assert replicas._is_replica_view(request, request.resolver_match.func) is expected, path

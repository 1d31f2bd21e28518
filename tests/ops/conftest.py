"""The demo mission seeded once per test module; each test runs in a savepoint rolled back to it.

Seeding is most of the time of tests/ops, and most tests only read what it made. A module that
asks for `demo_seeded` gets the mission (its module's HOUSEHOLDS) in a transaction opened before
its first test and rolled back after its last; every test's own writes are rolled back to the
seeded state as usual. A test that needs an empty database lives in a module that never asks.
"""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo_seeded(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[str]:
    """Seed the demo once for the module; return what `seed_demo` printed."""
    households = request.module.HOUSEHOLDS
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = io.StringIO()
            call_command("seed_demo", households=households, force=True, stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield out.getvalue()
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/ops `ops`, so that `make test-fast` can leave them out."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.ops)

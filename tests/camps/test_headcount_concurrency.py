"""The headcount under concurrent writers on real PostgreSQL, and the bulk import's batches."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from camps.census import census
from camps.models import SiteHeadcount
from cases.registry.imports import services
from cases.registry.imports.commit import registry_import_commit
from cases.registry.services import person_status_change
from tests.factories import register_household
from tests.imports.files import validated_import

pytestmark = pytest.mark.django_db(transaction=True)


def _together(*calls: Callable[[], Any]) -> None:
    """Run the calls at the same moment, each in a thread with its own connection."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            call()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def _kept(site: Any) -> tuple[int, int]:
    row = SiteHeadcount.objects.get(site=site)
    return row.individuals, row.households


def test_two_registrations_at_the_same_moment_both_count(officer, site) -> None:
    _together(
        lambda: register_household(
            actor=officer,
            site=site,
            members=[
                {"given_name": "Deng"},
                {
                    "given_name": "Achol",
                    "relationship_to_head": "spouse",
                    "confirm_not_duplicate": True,
                },
            ],
        ),
        lambda: register_household(
            actor=officer,
            site=site,
            members=[
                {"given_name": "Nyok", "family_name": "Gatkuoth", "confirm_not_duplicate": True}
            ],
        ),
    )
    assert _kept(site) == (3, 2) == census().headcount(site_id=site.pk)


def test_the_last_two_members_leaving_at_once_empty_the_household_once(officer, site) -> None:
    family = register_household(
        actor=officer,
        site=site,
        members=[
            {"given_name": "Deng"},
            {
                "given_name": "Achol",
                "relationship_to_head": "spouse",
                "confirm_not_duplicate": True,
            },
        ],
    )
    first, second = family.members
    _together(
        lambda: person_status_change(actor=officer, person=first, status="departed", reason="Left"),
        lambda: person_status_change(
            actor=officer, person=second, status="departed", reason="Left"
        ),
    )
    assert _kept(site) == (0, 0) == census().headcount(site_id=site.pk)


def test_the_bulk_import_counts_each_batch_at_once(officer, site) -> None:
    register_household(actor=officer, site=site)
    job = validated_import(officer=officer, site=site)
    job.batch_size = 2
    job.save(update_fields=["batch_size"])
    services.registry_import_commit_start(actor=officer, registry_import=job)
    assert registry_import_commit(import_id=job.pk)
    assert _kept(site) == census().headcount(site_id=site.pk) == (4, 3)

"""seed_demo runs on an empty database: it tops up an interrupted run, refuses without DEBUG, and
survives an unreachable broker.

These tests need a database without the demo, so they do not share the mission the other
modules of tests/ops seed once (conftest.demo_seeded).
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cases.models import Household
from incidents.models import Incident
from partners.models import PartnerAgency
from protection.demo.work.incidents import INCIDENTS
from protection.notifications.models import Delivery, DeliveryChannel
from tests.incidents.conftest import point_app_at

HOUSEHOLDS = 24


def seed(households: int = HOUSEHOLDS, **options: object) -> str:
    out = io.StringIO()
    call_command("seed_demo", households=households, force=True, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_tops_up_an_interrupted_run_without_duplicating() -> None:
    seed(households=8)
    assert Household.objects.count() == 8
    seed()
    assert Household.objects.count() == HOUSEHOLDS
    seed()
    assert Household.objects.count() == HOUSEHOLDS


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug_unless_forced() -> None:
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", households=2, stdout=io.StringIO())
    assert not PartnerAgency.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_survives_an_unreachable_broker() -> None:
    from protection.celery import app

    previous = app.conf.broker_url
    point_app_at("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        output = seed(households=6)
    finally:
        point_app_at(previous)

    assert "did not answer" in output
    assert Delivery.objects.filter(channel=DeliveryChannel.EMAIL, status="pending").exists()
    assert Incident.objects.filter(drill__isnull=True).count() == len(INCIDENTS)  # and a drill

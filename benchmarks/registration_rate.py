"""Time registration through the service at scale, beside COPY of the same rows (issue 12).

`python -m benchmarks.registration_rate --database-url postgres://.../bench_x` uses a registry
already generated (benchmarks.generate, e.g. a copy of the shared 1M database, migrated) and
registers --households households of --size people through
cases.registry.services.household_register as a UNHCR officer would: every check, the duplicate
check of each member against the registry (matches confirmed as not duplicates, so that they
are recorded with their audit events) and the audit trail. In the same run it times the
reference, COPY of the same number of people rows (rolled back), and prints people/s for both,
their ratio, the median and 95th percentile of one household, and the load average.
`--profile` prints where the service's time goes (cProfile, top functions by own time).

It writes the registered households to the benchmark database: use a copy.
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench"
RELATIONSHIPS = ["head", "spouse", "child", "child", "child", "parent", "sibling"]


def _households(rng: random.Random, count: int, size: int) -> list[list[Any]]:
    """Return `count` households of `size` members' data, with the registry's names."""
    from django.utils import timezone

    from benchmarks import names
    from camps.models import Country
    from cases.models import DisplacementStatus
    from cases.registry.records import PersonData

    status = DisplacementStatus.objects.get(code="IDP")
    nationality = Country.objects.get(code="SSD")
    female = names.weighted(names.FEMALE_GIVEN)
    male = names.weighted(names.MALE_GIVEN)
    family_names = names.weighted(names.FAMILY)
    today = timezone.localdate()
    households = []
    for _index in range(count):
        family = rng.choices(family_names[0], cum_weights=family_names[1])[0]
        members = []
        for position in range(size):
            is_female = rng.random() < 0.5
            pool = female if is_female else male
            members.append(
                PersonData(
                    given_name=rng.choices(pool[0], cum_weights=pool[1])[0],
                    family_name=family,
                    sex="female" if is_female else "male",
                    relationship_to_head=RELATIONSHIPS[min(position, len(RELATIONSHIPS) - 1)],
                    displacement_status=status,
                    consent_date=today - datetime.timedelta(days=1),
                    consent_given_by="person",
                    date_of_birth=today - datetime.timedelta(days=rng.randint(400, 25000)),
                    nationality=nationality,
                    confirm_not_duplicate=True,
                )
            )
        households.append(members)
    return households


def _reference_copy(people: int) -> float:
    """Return the seconds COPY takes to insert `people` person rows (rolled back)."""
    from django.db import transaction

    from cases.models import DisplacedPerson, Household
    from protection import codes
    from protection.bulk_insert import copy_insert

    template = DisplacedPerson.objects.order_by("-id").first()
    household = Household.objects.order_by("-id").first()
    assert template is not None and household is not None
    rows = []
    for _index in range(people):
        row = DisplacedPerson(
            **{
                f.attname: getattr(template, f.attname)
                for f in DisplacedPerson._meta.concrete_fields
                if f.attname not in ("id", "registration_number")
            }
        )
        row.registration_number = codes.new_code("Z")
        row.household_id = household.pk
        row.relationship_to_head = "other_relative"
        rows.append(row)
    started = time.perf_counter()
    with transaction.atomic():
        copy_insert(DisplacedPerson, rows)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(
    *,
    households: int = 200,
    size: int = 5,
    seed: int = 20261130,
    profile: bool = False,
    say: Callable[[str], None] = print,
) -> float:
    """Register the households through the service; print and return its people/s."""
    from camps.models import Site, SiteStatus
    from cases.models import DisplacedPerson
    from cases.registry.services import household_register
    from protection.accounts.models import User

    rng = random.Random(seed)
    officer = User.objects.select_related("agency").get(username="unhcr_officer")
    site = Site.objects.filter(managing_agency=officer.agency, status=SiteStatus.OPEN).first()
    assert site is not None, "the officer's agency manages no open site"
    batches = _households(rng, households + 1, size)
    total = DisplacedPerson.objects.count()
    say(f"Registry: {total:,} people; load average {os.getloadavg()[0]:.1f} (1 min)")
    household_register(actor=officer, site=site, members=batches.pop())  # warm up
    profiler = cProfile.Profile() if profile else None
    samples = []
    found = 0
    for members in batches:
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        registration = household_register(actor=officer, site=site, members=members)
        if profiler is not None:
            profiler.disable()
        samples.append(time.perf_counter() - started)
        found += sum(1 for person in registration.members if person.duplicate_reviews.exists())
    people = households * size
    rate = people / sum(samples)
    reference = people / _reference_copy(people)
    say(
        f"registration through the service, households of {size}: {rate:,.0f} people/s "
        f"(household median {1000 * statistics.median(samples):.1f} ms, "
        f"p95 {1000 * _percentile(samples, 0.95):.1f} ms, n={households}); "
        f"{found} of {people} people had likely matches, dismissed and audited"
    )
    say(f"reference: COPY of {people} person rows: {reference:,.0f} people/s")
    say(f"  ratio service / COPY: {100 * rate / reference:.1f} %")
    say(f"Load average after: {os.getloadavg()[0]:.1f}")
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        say(out.getvalue())
    return rate


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.registration_rate", description=__doc__
    )
    parser.add_argument("--households", type=int, default=200, help="households (200)")
    parser.add_argument("--size", type=int, default=5, help="people per household (5)")
    parser.add_argument("--seed", type=int, default=20261130, help="random seed")
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="an already generated benchmark database that it may write to (a copy)",
    )
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    run(
        households=args.households,
        size=args.size,
        seed=args.seed,
        profile=args.profile,
        say=lambda text: print(text, flush=True),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

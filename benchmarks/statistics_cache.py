"""Measure /api/v1/statistics/population/ without and with the cache of suppressed tables.

    python -m benchmarks.statistics_cache --database-url postgres://.../protection_bench_exports

It reads the database of benchmarks.exports (1,000,000 people of UNHCR by default; nothing is
generated here) as a supervisor of UNHCR, first with STATISTICS_CACHE_SECONDS=0 (every request
counts and suppresses the 5-dimension table), then with the cache on Redis (CACHE_URL, the
Redis database of CELERY_BROKER_URL by default, emptied first): the first request fills the
cache, the next ones answer from it.
"""

import argparse
import os
import statistics
import sys
import time

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_exports"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.statistics_cache", description=__doc__
    )
    parser.add_argument("--requests", type=int, default=5, help="requests per series (5)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_EXPORTS_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the database of benchmarks.exports (read, a user added)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    broker = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "CACHE_URL": os.environ.get("CACHE_URL", broker),
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    from benchmarks.second_factor import verified_client
    from partners.models import PartnerAgency
    from protection.accounts.models import Role, User

    print(f"Command: .venv/bin/python -m benchmarks.statistics_cache {' '.join(argv)}")
    owner = PartnerAgency.objects.get(acronym="UNHCR")
    user, _created = User.objects.get_or_create(
        username="statistics_supervisor", defaults={"agency": owner, "role": Role.SUPERVISOR}
    )
    client = verified_client(user)
    url = "/api/v1/statistics/population/"

    def timed() -> tuple[float, int]:
        started = time.monotonic()
        response = client.get(url)
        elapsed = time.monotonic() - started
        assert response.status_code == 200, response.status_code
        return elapsed, len(response.json()["figures"])

    settings.STATISTICS_CACHE_SECONDS = 0
    uncached = [timed() for _index in range(args.requests)]
    cells = uncached[0][1]
    settings.STATISTICS_CACHE_SECONDS = 120
    cache.clear()
    first = timed()[0]
    cached = [timed()[0] for _index in range(args.requests)]
    print(f"Population statistic: {cells:,} figures published (cells and totals)")
    print(
        "Without the cache: "
        + ", ".join(f"{t:.2f}" for t, _n in uncached)
        + f" s (median {statistics.median(t for t, _n in uncached):.2f} s)"
    )
    print(f"With the cache: first request (fills it) {first:.2f} s; then "
          + ", ".join(f"{t:.3f}" for t in cached)
          + f" s (median {statistics.median(cached):.3f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

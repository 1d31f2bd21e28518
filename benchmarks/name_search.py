"""Time name search term by term: `python -m benchmarks.name_search --database-url …`.

The scale benchmark's name-search row draws its people at random each run, so two runs time
different terms. This one keeps its misspelled terms in a file (`--terms`, written on the first
run, read on the next), so that two versions of the code are timed on the same 200 searches. It
prints the median and 95th percentile of the person list's first page searched by each term, as
the benchmark's officer, then the slowest terms with every statement over 5 ms they ran.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.request_speed import setup

DEFAULT_TERMS = str(Path(tempfile.gettempdir()) / "protection-search-terms.json")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.name_search", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        required="BENCH_DATABASE_URL" not in os.environ,
        help="a generated benchmark database (BENCH_DATABASE_URL; never your working one)",
    )
    parser.add_argument("--terms", default=DEFAULT_TERMS, help=f"terms file ({DEFAULT_TERMS})")
    parser.add_argument("--probes", type=int, default=200, help="terms drawn when new (200)")
    parser.add_argument("--slowest", type=int, default=8, help="slow terms shown (8)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def _terms(path: Path, probes: int, seed: int) -> list[str]:
    if path.exists():
        return list(json.loads(path.read_text(encoding="utf-8")))
    from django.test import Client

    from benchmarks import measure
    from benchmarks.table import Bench
    from benchmarks.table_rows import _visible_sample
    from protection.accounts.models import User

    rng = random.Random(seed)
    officer = User.objects.get(username="unhcr_officer")
    bench = Bench(
        officer=officer,
        client=Client(),
        people=[],
        rng=rng,
        probes=probes,
        copy_people_per_second=None,
    )
    terms = measure.search_terms(_visible_sample(bench, probes), rng)
    path.write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    return terms


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    setup(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.registry.selectors import person_list
    from protection.accounts.models import User
    from protection.pagination import keyset_page

    terms = _terms(Path(args.terms), args.probes, args.seed)
    officer = User.objects.get(username="unhcr_officer")
    timed: list[tuple[float, str, list[tuple[float, str]]]] = []
    for term in terms:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            keyset_page(person_list(user=officer, filters={"q": term}), after=None, size=50)
            seconds = time.perf_counter() - started
        statements = [(float(q["time"]), q["sql"]) for q in queries.captured_queries]
        timed.append((seconds, term, statements))
    ordered = sorted(seconds for seconds, _term, _statements in timed)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{len(terms)} terms from {args.terms}: median {statistics.median(ordered) * 1000:.1f} ms,"
    )
    print(f"p95 {p95 * 1000:.1f} ms; load {os.getloadavg()[0]:.2f}")
    for seconds, term, statements in sorted(timed, reverse=True)[: args.slowest]:
        print(f"{seconds * 1000:8.1f} ms  {term!r}")
        for statement_seconds, sql in statements:
            if statement_seconds > 0.005:
                print(f"           {statement_seconds * 1000:8.1f} ms  {sql[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

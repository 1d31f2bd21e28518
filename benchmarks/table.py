"""The table `make bench` prints: each measure, the app's figure, its reference SQL's, the ratio.

Each row of the table is one function of a `Bench` (benchmarks/table_rows.py) returning its
`Row`s, listed in ROWS: a module that measures a row better replaces that function in the list.
Reference figures are taken in the same run, on the same database, just before or after the
app's, so that the machine's load weighs on both alike.
"""

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from cases.models import DisplacedPerson
    from protection.accounts.models import User


@dataclass
class Row:
    """One line of the table."""

    measure: str
    app: str
    reference: str = "—"
    ratio: str = "—"


@dataclass
class Bench:
    """What the row functions share: the measuring officer, clients, the sampled people."""

    officer: "User"
    client: Client
    people: list["DisplacedPerson"]
    rng: Any
    probes: int
    copy_people_per_second: float | None = None
    notes: list[str] = field(default_factory=list)


def percentile(samples: Sequence[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def ratio(app: float, reference: float) -> str:
    return f"{app / reference:,.1f}x" if reference > 0 else "—"


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def sql_seconds(statements: Sequence[tuple[str, Sequence[Any] | None]]) -> float:
    """Return the wall time of running the statements directly on the connection."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    return time.perf_counter() - started


def own_reads(client: Client, path: str) -> list[tuple[str, Sequence[Any] | None]]:
    """Return the reads (SELECTs) that one request for `path` runs, to run them bare."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return [
        # The SQL as the server received it, values in place: run again without parameters.
        (q["sql"], None)
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    ]


def page_against_its_sql(client: Client, label: str, path: str, repeat: int = 20) -> Row:
    """Time a page (or an API page) through the whole stack, and the SELECTs it runs, bare."""
    statements = own_reads(client, path)  # also warms the caches
    app = [timed(lambda: client.get(path))[0] for _index in range(repeat)]
    bare = [sql_seconds(statements) for _index in range(repeat)]
    return Row(
        f"{label} (median)",
        f"{ms(statistics.median(app))} ({len(statements)} reads)",
        f"its own SQL: {ms(statistics.median(bare))}",
        ratio(statistics.median(app), statistics.median(bare)),
    )


def print_table(rows: Sequence[Row], say: Callable[[str], None], title: str) -> None:
    """Print the rows as a Markdown table (README's benchmark section takes it as it is)."""
    say(f"| {title} | app | reference in the same run | ratio |")
    say("|---|---|---|---|")
    for row in rows:
        say(f"| {row.measure} | {row.app} | {row.reference} | {row.ratio} |")

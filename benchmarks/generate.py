"""Generate a scale registry fast and resumably: people, incidents, cases, by COPY.

Agencies, officers, sites and services are made by the ORM (benchmarks/organisations.py).
The rest is written in chunks with COPY's text format: households with their members,
specific needs and chained audit events (benchmarks/registry_rows.py), then incidents and
their alerts (incident_rows.py), then cases with referrals (case_rows.py). Each chunk is one
transaction that also records it as done (benchmarks/progress.py): a killed run, started
again, goes on from the first chunk not done and writes exactly the rows it would have.

Secondary indexes are dropped for the load and rebuilt afterwards with their exact
definitions, and foreign-key triggers are off for the loading transactions (the generator
writes consistent ids itself); both are the usual bulk-load path and leave the schema exactly
as the migrations made it.
"""

import datetime
import math
import os
import random
import time
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from benchmarks import organisations
from benchmarks import progress as runs
from benchmarks.bulk import next_id, reset_sequence, secondary_indexes
from benchmarks.case_rows import CaseChunk
from benchmarks.incident_rows import IncidentChunk
from benchmarks.organisations import AGENCIES, Context, create_organisations
from benchmarks.registry_rows import RegistryChunk
from camps.birth_months import birth_months_recount
from camps.headcount import headcount_recount
from cases.models import DisplacedPerson, Household, PersonSpecificNeed, ProtectionCase, Referral
from incidents.models import Alert, Incident
from protection.audit_chain import AUDIT_CHAIN, chain_head, chain_lock
from protection.models import AuditEvent
from protection.notifications.models import Delivery, Notification

__all__ = ["AGENCIES", "Context", "create_organisations", "generate", "load_registry"]

CHUNK_PEOPLE = 20_000
CHUNK_INCIDENTS = 20_000
CHUNK_CASES = 5_000
# The id each table's generated rows start from, by the name the chunk writers use.
BASES: dict[str, type[models.Model]] = {
    "household": Household,
    "person": DisplacedPerson,
    "need": PersonSpecificNeed,
    "audit": AuditEvent,
    "incident": Incident,
    "alert": Alert,
    "delivery": Delivery,
    "notification": Notification,
    "case": ProtectionCase,
    "referral": Referral,
}
REGISTRY_TABLES = (Household, DisplacedPerson, PersonSpecificNeed, AuditEvent)
INCIDENT_TABLES = (Incident, Alert, Delivery, Notification)
CASE_TABLES = (ProtectionCase, Referral)
Progress = Callable[[str], None]


def _create_index(definition: str) -> str:
    """Return an index definition that does nothing if the index is already there."""
    for prefix in ("CREATE UNIQUE INDEX ", "CREATE INDEX "):
        if definition.startswith(prefix):
            return prefix + "IF NOT EXISTS " + definition[len(prefix) :]
    return definition


def plan_run(
    context: Context,
    *,
    people: int,
    incidents: int = 0,
    cases: int = 0,
    seed: int,
    chunk_people: int = CHUNK_PEOPLE,
    chunk_incidents: int = CHUNK_INCIDENTS,
    chunk_cases: int = CHUNK_CASES,
) -> dict[str, Any]:
    """Fix what the run writes (sizes, ids, seed), drop the indexes, and save the plan."""
    tables: tuple[type[models.Model], ...] = REGISTRY_TABLES
    if incidents:
        tables += INCIDENT_TABLES
    if cases:
        tables += CASE_TABLES
    with transaction.atomic(), connection.cursor() as cursor:
        bases = {name: next_id(cursor, model) for name, model in BASES.items()}
        dropped: list[tuple[str, str]] = []
        for model in tables:
            for name, definition in secondary_indexes(cursor, model._meta.db_table):
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                dropped.append((name, definition))
        plan = {
            "seed": seed,
            "now": timezone.now().isoformat(),
            "people": people,
            "incidents": incidents,
            "cases": cases,
            "chunk_people": chunk_people,
            "chunk_incidents": chunk_incidents,
            "chunk_cases": chunk_cases,
            "bases": bases,
            "dropped": dropped,
            "tables": [model._meta.label for model in tables],
            "context": context.as_plan(),
        }
        runs.save_plan(plan)
    return plan


def _database_cpu() -> float | None:
    """Return the CPU seconds this connection's PostgreSQL backend has used (same host only)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stage(
    plan: dict[str, Any],
    name: str,
    total: int,
    size: int,
    write: Callable[[Any, int], dict[str, int]],
    progress: Progress,
    report: dict[str, Any],
) -> None:
    """Write the chunks of one stage not yet done, each in its own transaction."""
    if not total:
        return
    done = runs.done_chunks(name)
    started, cpu, database_cpu = time.monotonic(), time.process_time(), _database_cpu()
    written: dict[str, int] = {}
    for chunk in range(math.ceil(total / size)):
        if chunk in done:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            rows = write(cursor, chunk)
            runs.mark_done(cursor, name, chunk)
        for table, count in rows.items():
            written[table] = written.get(table, 0) + count
        seconds = max(time.monotonic() - started, 1e-6)
        database_now = _database_cpu()
        cpu_used = (
            time.process_time()
            - cpu
            + (
                database_now - database_cpu
                if database_now is not None and database_cpu is not None
                else 0.0
            )
        )
        progress(
            f"  {name}: chunk {chunk + 1}/{math.ceil(total / size)}, "
            f"{sum(written.values()) / seconds:,.0f} rows/s ("
            + ", ".join(f"{table} {count / seconds:,.0f}/s" for table, count in written.items())
            + f"); {sum(written.values()) / max(cpu_used, 1e-6):,.0f} rows per CPU second"
        )
    seconds = time.monotonic() - started
    database_after = _database_cpu()
    report["stages"][name] = {
        "seconds": seconds,
        "rows": written,
        "resumed_after": len(done),
        # On a busy machine the wall time says more about the others than about the load;
        # the CPU seconds of the generator and of its PostgreSQL backend say what it costs.
        "cpu_generator": time.process_time() - cpu,
        "cpu_database": (
            database_after - database_cpu
            if database_after is not None and database_cpu is not None
            else None
        ),
    }
    for table, count in written.items():
        report["counts"][table] = report["counts"].get(table, 0) + count


def run(plan: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Carry out (or go on with) a planned run; return the rows written and the time taken."""
    report: dict[str, Any] = {"counts": {}, "stages": {}}
    registry = RegistryChunk(plan)

    def write_registry(cursor: Any, chunk: int) -> dict[str, int]:
        # The audit events continue the hash chain, as audit_record would write them.
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        return registry.write(cursor, chunk, chain_head(AUDIT_CHAIN, using=connection.alias))

    _stage(plan, "registry", plan["people"], plan["chunk_people"], write_registry, progress, report)
    if plan["incidents"]:
        incidents = IncidentChunk(plan)
        _stage(
            plan,
            "incidents",
            plan["incidents"],
            plan["chunk_incidents"],
            incidents.write,
            progress,
            report,
        )
    if plan["cases"]:
        cases = CaseChunk(plan)
        _stage(plan, "cases", plan["cases"], plan["chunk_cases"], cases.write, progress, report)
    started = time.monotonic()
    _finish(plan, progress)
    report["stages"]["indexes"] = {"seconds": time.monotonic() - started, "rows": {}}
    return report


def _finish(plan: dict[str, Any], progress: Progress) -> None:
    """Rebuild the dropped indexes, move the sequences on, analyse, and forget the run."""
    models_loaded = [m for m in BASES.values() if m._meta.label in plan["tables"]]
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        progress(f"  rebuilding {len(plan['dropped'])} indexes")
        for _name, definition in plan["dropped"]:
            cursor.execute(_create_index(definition))
        for model in models_loaded:
            reset_sequence(cursor, model)
        cursor.execute("RESET maintenance_work_mem")
    runs.finish()
    with connection.cursor() as cursor:
        for model in models_loaded:
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    # COPY goes round the services: the sites' maintained headcounts are counted afresh.
    progress("  counting the sites' headcounts")
    headcount_recount()
    birth_months_recount()


def copy_rate(*, people: int = 20_000, seed: int = 1) -> float:
    """Return people/s of one registry chunk written by COPY and rolled back (a reference).

    The same path as a generation (households, people, needs, chained audit events, with the
    indexes of the live registry in place), for a database generated earlier.
    """
    context = organisations.context_from_database()
    with transaction.atomic(), connection.cursor() as cursor:
        plan = {
            "seed": seed,
            "now": timezone.now().isoformat(),
            "people": people,
            "chunk_people": people,
            "bases": {name: next_id(cursor, model) for name, model in BASES.items()},
            "context": context.as_plan(),
        }
        started = time.monotonic()
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        cursor.execute("SET LOCAL session_replication_role = replica")
        RegistryChunk(plan).write(cursor, 0, chain_head(AUDIT_CHAIN, using=connection.alias))
        seconds = time.monotonic() - started
        transaction.set_rollback(True)
    return people / seconds


def load_registry(
    context: Context,
    *,
    people: int,
    rng: random.Random,
    progress: Progress,
) -> dict[str, int]:
    """COPY households and `people` people (with needs and audit events) into the registry."""
    plan = plan_run(context, people=people, seed=rng.randrange(2**32))
    counts: dict[str, int] = run(plan, progress)["counts"]
    return counts


def generate(
    *,
    people: int,
    sites: int,
    incidents: int,
    cases: int,
    seed: int,
    progress: Progress,
) -> dict[str, Any]:
    """Generate a whole database, or go on with the run a crash interrupted."""
    plan = runs.saved_plan()
    if plan is not None:
        progress(
            f"Resuming the run of {plan['people']:,} people planned at {plan['now']} "
            f"(seed {plan['seed']})"
        )
    else:
        from protection.reference_data import load_reference_data

        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
        context = create_organisations(sites=sites, rng=random.Random(seed))
        plan = plan_run(context, people=people, incidents=incidents, cases=cases, seed=seed)
    started = time.monotonic()
    report = run(plan, progress)
    report["seconds"] = time.monotonic() - started
    report["planned_at"] = datetime.datetime.fromisoformat(plan["now"])
    return report

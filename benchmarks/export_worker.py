"""Measure a background export through a real Celery worker: rows per second, and the peak
resident memory of the worker that writes the file.

    python -m benchmarks.export_worker --people 200000
    python -m benchmarks.export_worker --people 200000 --format xlsx

It works on a database of its own (BENCH_EXPORT_WORKER_DATABASE_URL), generated as in
benchmarks.exports (every person owned by UNHCR), and on the Redis database of
CELERY_BROKER_URL. A supervisor of UNHCR asks the export page for every person, one row per
person, so the export goes to the worker (EXPORT_STREAM_MAX_ROWS is set below the registry);
the worker (`celery worker --pool=solo`, started here) writes the file, access-logs every
person and renews its lease per chunk. The worker's peak RSS is its VmHWM in /proc.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_export_worker"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.export_worker", description=__doc__)
    parser.add_argument("--people", type=int, default=200_000, help="registry size (200000)")
    parser.add_argument("--format", default="csv", choices=["csv", "hxl", "xlsx"])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_EXPORT_WORKER_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (never your working one)",
    )
    return parser.parse_args(argv)


def _memory_kb(pid: int, field: str) -> int:
    """Return a memory figure of a process from /proc/<pid>/status (VmRSS, VmHWM), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "protection.celery:app", "worker",
         "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", f"export-bench-{os.getpid()}@%h"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    time.sleep(8)  # start-up: Django, the apps, the connection to the broker
    if worker.poll() is not None:
        raise SystemExit(f"The worker exited:\n{log.read_text()}")
    return worker


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    from benchmarks.__main__ import _registry_size

    if _registry_size(args.database_url) != args.people:
        command = [sys.executable, "-m", "benchmarks.exports", "--people", str(args.people)]
        command += ["--generate-only", "--database-url", args.database_url]
        subprocess.run(command, check=True)  # noqa: S603
    export_dir = Path(tempfile.mkdtemp(prefix="export-bench-"))
    os.environ.update(
        {
            "DATABASE_URL": args.database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "testserver",
            "EXPORT_DIR": str(export_dir),
            "EXPORT_STREAM_MAX_ROWS": "1000",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.second_factor import verified_client
    from partners.models import PartnerAgency
    from protection.accounts.models import Role, User
    from protection.models import DataExport, ExportStatus

    call_command("migrate", interactive=False, verbosity=0)
    print(f"Command: .venv/bin/python -m benchmarks.export_worker {' '.join(argv)}", flush=True)
    owner = PartnerAgency.objects.get(acronym="UNHCR")
    supervisor, _created = User.objects.get_or_create(
        username="export_supervisor", defaults={"agency": owner, "role": Role.SUPERVISOR}
    )
    log = export_dir / "worker.log"
    worker = _start_worker({**os.environ, "DATABASE_CONN_MAX_AGE": "0"}, log)
    try:
        idle_kb = _memory_kb(worker.pid, "VmRSS")
        client = verified_client(supervisor)
        started = time.monotonic()
        response = client.post(
            "/exports/new/?dataset=people",
            {"file_format": args.format, "level": "individual", "purpose": "export_casework"},
        )
        assert response.status_code == 302 and "/exports/" in response["Location"], response
        export = DataExport.objects.filter(user=supervisor).latest("pk")
        samples: list[tuple[float, int, int]] = []
        while True:
            export.refresh_from_db()
            if export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
                break
            if worker.poll() is not None:
                raise SystemExit(f"The worker died:\n{log.read_text()}")
            samples.append(
                (time.monotonic() - started, export.rows_done, _memory_kb(worker.pid, "VmRSS"))
            )
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        peak_kb = _memory_kb(worker.pid, "VmHWM")
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    assert export.status == ExportStatus.READY, (export.status, log.read_text())
    size = (export_dir / export.file_name).stat().st_size
    print(f"Export: people, individual, {args.format}, by a supervisor of UNHCR, in a worker")
    print(
        f"Rows: {export.rows_total:,} ({size / 1e6:,.1f} MB) in {elapsed:,.1f} s from the "
        f"request to the file ready: {export.rows_total / elapsed:,.0f} rows/s"
    )
    print(f"Worker RSS idle: {idle_kb / 1000:,.0f} MB; peak RSS (VmHWM): {peak_kb / 1000:,.0f} MB")
    step = max(1, len(samples) // 8)
    print(
        "Worker RSS while writing (s, rows written: MB): "
        + ", ".join(f"{at:.0f} s, {rows:,}: {kb / 1000:,.0f}" for at, rows, kb in samples[::step])
    )
    for path in export_dir.iterdir():
        path.unlink()
    export_dir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

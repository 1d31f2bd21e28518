"""A PostgreSQL primary and a streaming replica of it, each on a free port, for one test.

Both run from a temporary directory with the local PostgreSQL's own binaries (initdb, pg_ctl,
pg_basebackup: /usr/lib/postgresql/<version>/bin); the replica is a real hot standby made by
`pg_basebackup -R`, replaying the primary's WAL as it streams. PostgreSQL refuses to run as
root, so under root (CI) every command runs as the `postgres` user (runuser) in a directory it
owns. Both servers are stopped and the directory removed on the way out, whatever happened.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def postgres_bin() -> Path | None:
    """Return the newest local PostgreSQL's bin directory, or None when there is none."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """The two servers: connect to 127.0.0.1 as postgres, without a password."""

    primary_port: int
    replica_port: int
    directory: Path
    bin: Path

    def run(self, *command: str, stdin: bytes | None = None) -> bytes:
        """Run a PostgreSQL program (as postgres under root); raise with its output if it fails."""
        argv = [str(self.bin / command[0]), *command[1:]]
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(  # noqa: S603 (our own arguments)
            argv, input=stdin, capture_output=True, timeout=120, cwd=self.directory, check=False
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.decode(errors='replace')}")
        return done.stdout

    def psql(self, port: int, sql: str, database: str = "postgres") -> str:
        out = self.run(
            "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database,
            "-Atq", "-v", "ON_ERROR_STOP=1", "-c", sql,
        )  # fmt: skip
        return out.decode().strip()


def _configure(data: Path, port: int, sockets: Path) -> None:
    settings = (
        f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{sockets}'\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
        "synchronous_commit = off\nfull_page_writes = off\nshared_buffers = 32MB\n"
        "max_connections = 40\n"
    )
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write(settings)


@contextlib.contextmanager
def primary_and_replica() -> Iterator[Cluster]:
    """Start a primary and a streaming replica of it; stop both and clean up afterwards."""
    binaries = postgres_bin()
    if binaries is None:
        raise RuntimeError("No PostgreSQL server binaries under /usr/lib/postgresql")
    directory = Path(tempfile.mkdtemp(prefix="protection-replica-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(_free_port(), _free_port(), directory, binaries)
    primary, replica = directory / "primary", directory / "replica"
    started: list[Path] = []
    try:
        cluster.run("initdb", "-D", str(primary), "-U", "postgres", "-A", "trust", "--no-sync")
        _configure(primary, cluster.primary_port, directory)
        cluster.run(
            "pg_ctl", "-D", str(primary), "-l", str(directory / "primary.log"), "-w", "start"
        )
        started.append(primary)
        cluster.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(cluster.primary_port), "-U", "postgres",
            "-D", str(replica), "-R", "-X", "stream", "--no-sync",
        )  # fmt: skip
        with (replica / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(f"\nport = {cluster.replica_port}\n")
        cluster.run(
            "pg_ctl", "-D", str(replica), "-l", str(directory / "replica.log"), "-w", "start"
        )
        started.append(replica)
        deadline = time.monotonic() + 30
        while cluster.psql(cluster.replica_port, "SELECT pg_is_in_recovery()") != "t":
            if time.monotonic() > deadline:
                raise RuntimeError("The replica did not start as a standby")
            time.sleep(0.2)
        yield cluster
    finally:
        for data in reversed(started):
            with contextlib.suppress(Exception):
                cluster.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(directory, ignore_errors=True)

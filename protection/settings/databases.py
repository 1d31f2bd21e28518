"""The database, and the read replicas that list, search, dashboard, statistics and export
reads may use (protection/replicas.py routes them; no replica configured: all on default)."""

import os

import dj_database_url

from protection.settings.env import env_list

_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE", "60"))


def _database(url: str) -> dict[str, object]:
    database: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True)
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Short OLTP queries: PostgreSQL's JIT compiler cost more than it saved on every list
        # measured in benchmarks/ (about 1 s of a 1.9 s aggregate at 200,000 people).
        options = database.setdefault("OPTIONS", {})
        assert isinstance(options, dict)
        options["options"] = "-c jit=off"
    return database


DATABASES = {
    "default": _database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/protection")
    )
}
# Streaming replicas of the default database, comma-separated URLs: "replica1", "replica2", ...
# Tests mirror them onto the default database (no test database is created for them).
for _index, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{_index}"] = _database(_url) | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["protection.replicas.ReplicaRouter"]
# After a request that wrote, the same browser or client reads from the primary this long, so
# that it sees its own change whatever the replicas' lag (read-your-writes).
DATABASE_REPLICA_STICKY_SECONDS = int(os.environ.get("DATABASE_REPLICA_STICKY_SECONDS", "10"))

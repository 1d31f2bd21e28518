#!/bin/bash
# The "postgres-replica" service: a streaming hot standby of "postgres". The first time (an
# empty data directory) it copies the primary with pg_basebackup -R, which also writes the
# connection to follow (postgresql.auto.conf, standby.signal); then it runs PostgreSQL, which
# replays the primary's WAL as it streams and answers read-only queries.
set -euo pipefail
if [ ! -s "${PGDATA}/PG_VERSION" ]; then
    until pg_isready -q -h postgres -U "${POSTGRES_USER}" -d "${POSTGRES_DB}"; do sleep 1; done
    pg_basebackup -h postgres -U "${POSTGRES_USER}" -D "${PGDATA}" -R -X stream --checkpoint=fast
    chmod 0700 "${PGDATA}"
fi
exec postgres

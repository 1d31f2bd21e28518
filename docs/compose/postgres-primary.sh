#!/bin/bash
# Runs once, when the "postgres" service initialises its data directory (the official image
# runs /docker-entrypoint-initdb.d/*.sh): let the app's role stream the WAL to replicas.
# "all" in pg_hba.conf does not cover replication connections; this line does.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "${PGDATA}/pg_hba.conf"

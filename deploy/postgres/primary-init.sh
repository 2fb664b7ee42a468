#!/usr/bin/env bash
# Runs once, when the official postgres image initialises an empty data directory
# (/docker-entrypoint-initdb.d/): the role the streaming replica connects as, and the pg_hba.conf
# line that lets it ask for replication ("all" in pg_hba.conf never matches replication).
# On a primary initialised before this file existed, run it once by hand:
#   docker compose exec db bash /docker-entrypoint-initdb.d/10-replication.sh
#   docker compose restart db
set -euo pipefail

: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PGDATA="${PGDATA:-/var/lib/postgresql/data}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=password="$REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD %L', :'password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'replicator') \gexec
SQL

if ! grep -q '^host[[:space:]]\+replication[[:space:]]\+replicator' "$PGDATA/pg_hba.conf"; then
  echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi

#!/usr/bin/env bash
# Entry point of the streaming replica (the official postgres image, unchanged): on the first
# start, when the data directory is empty, copy the primary with pg_basebackup (-R writes
# standby.signal and primary_conninfo, so the server starts as a hot standby streaming the
# primary's WAL); then hand over to the image's own entry point, which finds the directory
# initialised and only starts the server. The replica is read-only: the application sends it
# anonymous reads only (core/db_router.py, docs/scaling.md).
set -euo pipefail

: "${PRIMARY_HOST:?set PRIMARY_HOST}"
: "${REPLICATION_PASSWORD:?set REPLICATION_PASSWORD}"
PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "replica: waiting for the primary at $PRIMARY_HOST"
  until pg_isready -h "$PRIMARY_HOST" -p 5432 -q; do sleep 1; done
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
  echo "replica: copying the primary (pg_basebackup)"
  # -R keeps the password in primary_conninfo (postgresql.auto.conf, in the replica's own
  # volume): the replica needs it to reconnect after a restart.
  PGPASSWORD="$REPLICATION_PASSWORD" gosu postgres pg_basebackup \
    --host="$PRIMARY_HOST" --port=5432 --username=replicator \
    --pgdata="$PGDATA" --wal-method=stream --write-recovery-conf --checkpoint=fast --progress
fi

exec docker-entrypoint.sh "$@"

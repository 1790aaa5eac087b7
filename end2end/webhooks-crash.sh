#!/usr/bin/env bash
# Webhook durability end to end (docs/rules.md, Webhooks), against the release
# build (or LIVREUR_BIN, a path from the project root):
#   1. SQLite: one instance killed with SIGKILL three times while it delivers
#      2000 events to a slow receiver; every event must still arrive, with a
#      valid Standard Webhooks signature.
#   2. PostgreSQL: three instances sharing one database deliver 4000 events;
#      every event must arrive (duplicates are reported, not failed).
# The PostgreSQL run needs a server on 127.0.0.1:5432 (user postgres, trust
# auth); it is skipped when none answers, except in CI where it is required.
# Both runs always happen; the exit status is non-zero if either failed.
set -euo pipefail
cd "$(dirname "$0")"
bin="$(cd .. && pwd)/${LIVREUR_BIN:-target/release/livreur}"

if [ ! -x "$bin" ]; then
  echo "webhooks-crash: $bin is missing; build the release binary first (make build)" >&2
  exit 2
fi

./python-env.sh

status=0
echo "### webhooks crash test: SQLite, SIGKILL x3"
timeout --kill-after=30 "${WEBHOOKS_SQLITE_TIMEOUT:-420}" \
  .venv/bin/python webhooks_crash.py --binary "$bin" --backend sqlite --events "${WEBHOOKS_SQLITE_EVENTS:-2000}" || status=1

if pg_isready -q -h 127.0.0.1; then
  echo "### webhooks crash test: PostgreSQL, 3 instances"
  timeout --kill-after=30 "${WEBHOOKS_PG_TIMEOUT:-420}" \
    .venv/bin/python webhooks_crash.py --binary "$bin" --backend postgres --instances 3 --events "${WEBHOOKS_PG_EVENTS:-4000}" || status=1
elif [ "${CI:-}" = true ]; then
  echo "webhooks-crash: PostgreSQL does not answer on 127.0.0.1 and CI requires the multi-instance run" >&2
  status=1
else
  echo "### webhooks crash test: PostgreSQL skipped (pg_isready -h 127.0.0.1 failed)"
fi
exit "$status"

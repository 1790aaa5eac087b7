#!/usr/bin/env bash
# Starts the server on a fresh SQLite database for the end-to-end tests:
# the release build, or the one LIVREUR_BIN and LIVREUR_SITE name (paths
# from the project root). Usage: serve.sh [port] (default $E2E_PORT or 3100).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-${E2E_PORT:-3100}}"
data="end2end/.data/$port"
rm -rf "$data"
mkdir -p "$data"
export DATABASE_URL="sqlite://$data/livreur.db"
export LIVREUR_LISTEN="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="${LIVREUR_SITE:-target/site}"
export LIVREUR_LOG="${LIVREUR_LOG:-warn}"
# The webhook secrets' key lives with this run's database, never in ./data.
export LIVREUR_KEY_FILE="$data/livreur.key"
# The tests' webhook receivers listen on loopback, which is otherwise refused.
export LIVREUR_WEBHOOK_ALLOWED_NETS="${LIVREUR_WEBHOOK_ALLOWED_NETS:-127.0.0.0/8}"
# Administrators sign in with a password only here, as the suites expect;
# the second-factor spec starts a server that requires one.
export LIVREUR_REQUIRE_2FA_FOR_ADMINS="${LIVREUR_REQUIRE_2FA_FOR_ADMINS:-false}"
exec "${LIVREUR_BIN:-target/release/livreur}" serve

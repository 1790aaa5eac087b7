#!/usr/bin/env bash
# The served OpenAPI document against the API: first the generated clients
# (api-clients.sh: the document validates, and Python and TypeScript
# clients generated from it work), then Schemathesis (property-based API
# testing), authenticated as a merchant and as an administrator: no input
# may produce a 5xx, and every response must match the document (status,
# content type, schema).
# Starts the release build (or LIVREUR_BIN with LIVREUR_SITE, paths from
# the project root) on a fresh SQLite database.
set -euo pipefail
cd "$(dirname "$0")"
port="${FUZZ_PORT:-3600}"
base="http://127.0.0.1:$port"
bin="$(cd .. && pwd)/${LIVREUR_BIN:-target/release/livreur}"

./python-env.sh

data=".data/fuzz"
rm -rf "$data" && mkdir -p "$data"
export DATABASE_URL="sqlite://$PWD/$data/livreur.db"
export LIVREUR_KEY_FILE="$PWD/$data/livreur.key"
export LIVREUR_LISTEN="127.0.0.1:$port"
export LEPTOS_SITE_ROOT="../${LIVREUR_SITE:-target/site}"
export LIVREUR_LOG=warn
export LIVREUR_WEBHOOK_ALLOWED_NETS=127.0.0.0/8
# The fuzzer is one client sending thousands of requests: lift the limit.
export LIVREUR_RATE_LIMIT=100000
"$bin" migrate >/dev/null
echo "fuzz admin password" | "$bin" create-admin --email admin@fuzz.example --password-stdin >/dev/null
"$bin" serve 2> "$data/server.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fsS "$base/readyz" >/dev/null 2>&1 && break; sleep 0.1; done

field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
value() { sed -n "s/^$1=//p"; }
admin_out=$("$bin" api-key create --email admin@fuzz.example)
admin_auth="$(echo "$admin_out" | value account_id):$(echo "$admin_out" | value key)"
call() { curl -fsS -u "$admin_auth" -H 'content-type: application/json' "$@"; }
loc=$(call -X POST "$base/api/v1/locations" -d '{"name":"Fuzz","kind":"branch","ref_no":"FZ-1"}' | field "['id']")
mer=$(call -X POST "$base/api/v1/merchants" \
  -d "{\"business_name\":\"Fuzz\",\"contact_email\":\"f@fuzz.example\",\"location_ids\":[\"$loc\"],\"default_location_id\":\"$loc\"}" | field "['id']")
usr=$(call -X POST "$base/api/v1/merchants/$mer/users" \
  -d '{"email":"m@fuzz.example","display_name":"M","role":"merchant_l2","password":"a long password"}' | field "['id']")
call -X PUT "$base/api/v1/users/$usr/api-access" -d '{"enabled":true}' >/dev/null
key_json=$(call -X POST "$base/api/v1/users/$usr/api-keys")
merchant_auth="$(echo "$key_json" | field "['account_id']"):$(echo "$key_json" | field "['key']")"
# One job of the merchant's, with an action, so reads and changes have
# something to find: the fuzzer uses its ids for the path parameters.
job_json=$(curl -fsS -u "$merchant_auth" -H 'content-type: application/json' -X POST "$base/api/v1/jobs" \
  -d "{\"type\":\"delivery\",\"date\":\"2026-12-01\",\"location_id\":\"$loc\",\"customer\":{\"first_name\":\"A\",\"phone\":\"5145550100\"},\"address\":{\"line1\":\"1 Rue\"},\"actions\":[{\"description\":\"Box\"}]}")
# A webhook whose receiver is not there (loopback, a closed port): its
# deliveries fail quietly while the fuzzer works.
hook_json=$(call -X POST "$base/api/v1/webhooks" \
  -d "{\"url\":\"http://127.0.0.1:9/in\",\"location_id\":\"$loc\",\"events\":[\"job.created\"]}")
cat > "$data/schemathesis.toml" <<TOML
[parameters]
"path.job_id" = "$(echo "$job_json" | field "['id']")"
"path.action_id" = "$(echo "$job_json" | field "['actions'][0]['id']")"
"path.user_id" = "$usr"
"path.merchant_id" = "$mer"
"path.location_id" = "$loc"
"path.webhook_id" = "$(echo "$hook_json" | field "['id']")"
TOML

# Twice: as the merchant (what a merchant's developer reaches), then as
# the administrator over every endpoint. Both run; either failing fails.
fuzz() {
  .venv/bin/schemathesis --config-file "$data/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --url "$base/api/v1" \
    --auth "$1" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "${FUZZ_EXAMPLES:-50}" \
    --seed 20261130 \
    --workers 1 \
    --generation-database none \
    --no-color
}
status=0
./api-clients.sh "$base" "$merchant_auth" "$loc" || { echo "api-fuzz: the generated clients failed" >&2; status=1; }
echo "### Schemathesis as a Merchant Level 2 user"
fuzz "$merchant_auth" || { echo "api-fuzz: Schemathesis as the merchant exited $?" >&2; status=1; }
echo "### Schemathesis as an administrator"
fuzz "$admin_auth" || { echo "api-fuzz: Schemathesis as the administrator exited $?" >&2; status=1; }
if grep -q "panicked\|ERROR" "$data/server.log"; then
  echo "api-fuzz: the server logged errors:" >&2
  grep "panicked\|ERROR" "$data/server.log" | head -20 >&2
  status=1
fi
exit "$status"

#!/usr/bin/env bash
# The OpenAPI document as a merchant's developer meets it: validated by
# openapi-spec-validator, then a Python client (openapi-python-client) and
# a TypeScript client (openapi-typescript types, openapi-fetch calls,
# checked by tsc) generated from it, each calling ping, create, get, patch
# and search with a merchant's key. api-fuzz.sh runs it against its server.
#
# Usage: api-clients.sh BASE_URL ACCOUNT_ID:KEY LOCATION_ID
set -euo pipefail
cd "$(dirname "$0")"
base=$1 auth=$2 location=$3
out=.data/clients
rm -rf "$out" && mkdir -p "$out/ts"
curl -fsS "$base/api/v1/openapi.json" > "$out/openapi.json"

echo "### openapi-spec-validator"
.venv/bin/openapi-spec-validator "$out/openapi.json"

echo "### Python client (openapi-python-client)"
.venv/bin/openapi-python-client generate --path "$out/openapi.json" --meta none \
  --config clients/python-client.yaml --output-path "$out/python/livreur_client" >/dev/null
.venv/bin/python clients/python_client.py "$out/python" "$base" "$auth" "$location"

echo "### TypeScript client (openapi-typescript, openapi-fetch)"
npx --no-install openapi-typescript "$out/openapi.json" --output "$out/ts/schema.d.ts" >/dev/null
npx --no-install tsc -p clients/tsconfig.json
node "$out/ts/out/clients/ts_client.js" "$base" "$auth" "$location"

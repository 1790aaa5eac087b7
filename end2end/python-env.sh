#!/usr/bin/env bash
# Makes end2end/.venv hold requirements.txt, for api-fuzz.sh and
# webhooks-crash.sh. The digest of the file, kept inside the venv, says
# whether it is up to date; .venv may be a link into a cache (CI), and the
# venv is made at the link's target so its scripts name their real path.
set -euo pipefail
cd "$(dirname "$0")"
want=$(sha256sum requirements.txt | cut -c1-64)
if [ "$(cat .venv/.requirements-digest 2>/dev/null)" != "$want" ]; then
  venv=$(realpath -m .venv)
  echo "python-env: installing requirements.txt into $venv"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r requirements.txt
  echo "$want" > "$venv/.requirements-digest"
fi

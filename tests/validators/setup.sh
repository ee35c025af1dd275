#!/usr/bin/env bash
# Creates the Python virtualenv holding the independent validators the tests run on the evidence:
#   cyclonedx-python-lib[json-validation]  strict CycloneDX 1.5/1.6 schema validation (offline)
#   spdx-tools                             pyspdxtools (SPDX 2.3)
#   spdx-python-model                      SPDX 3.0.1 JSON-LD (bindings of the official SHACL model)
#   jsonschema                             the vendored OpenVEX JSON schema
#   securesystemslib, in-toto-attestation  DSSE signatures and in-toto statements (attestations)
# and, from npm (package.json, package-lock.json), the BSI CSAF validator library
#   @secvisogram/csaf-validator-lib        CSAF 2.0 strict schema + mandatory tests (csaf.mjs)
# in tests/validators/node_modules (ignored by git), reused when the lock file is unchanged.
# The venv lives at tests/validators/.venv (ignored by git) and is reused when it already has
# every pinned package. `.ci/run` calls this script; run it once before the README's test command.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if ! { [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; }; then
  python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
node_stamp="$here/node_modules/.package-lock.sha256"
node_want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if ! { [ -f "$node_stamp" ] && [ "$(cat "$node_stamp")" = "$node_want" ]; }; then
  (cd "$here" && npm ci --quiet --no-audit --no-fund --ignore-scripts)
  echo "$node_want" > "$node_stamp"
fi

#!/usr/bin/env bash
# Benchmark of the evidence stage on a large real workspace: SBOM generation against
# `cargo cyclonedx`, and the whole main job without the build against `check`.
# Not a test: it prints figures for the README.
#
#   bench/evidence.sh [WORKSPACE_DIR] [ADVISORY_DB_DIR]
#
# Defaults: ../shared/bench/large (run `cargo fetch` in it once) and ../shared/advisory-db.
# Needs cargo-cyclonedx (installed with `cargo install --locked` when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here/../shared/bench/large}" && pwd)
src_db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}

command -v cargo-cyclonedx >/dev/null || cargo install --locked cargo-cyclonedx
cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="$here/target/release/cargo-release-evidence"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src_ws" "$work/ws"; chmod -R u+w "$work/ws"
cd "$work/ws"
cargo fetch --locked -q
"$bin" init --offline -q
sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' release-evidence.toml
sed -i -e "s|^# db-path = .*|db-path = \"$src_db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml

# The main job without the build: `--no-build` hashes the artifact a build left. Building the
# 847-package workspace takes far longer than everything measured here, so a placeholder file
# stands in for the library's rlib; it is hashed like the real one would be.
mkdir -p target/release
head -c 4000000 /dev/urandom > target/release/libbench_large.rlib

median() {
  "$@" >/dev/null 2>&1 || true
  local times=()
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    times+=("$(( (e - s) / 1000000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1000}'
}

"$bin" check --offline >/dev/null 2>&1 || true   # warm the metadata cache for all
echo "workspace: $src_ws ($(grep -c '^name = ' Cargo.lock) locked packages), $(nproc) cores"
printf '%-58s %8s\n' "command" "median s"
printf '%-58s %8s\n' "cargo cyclonedx --spec-version 1.5 (JSON)" "$(median cargo cyclonedx --spec-version 1.5 --format json)"
printf '%-58s %8s\n' "sbom --offline (CycloneDX 1.5 of the shipped set)" "$(median "$bin" sbom --offline -o "$work/sbom")"
printf '%-58s %8s\n' "sbom --offline --sbom-format spdx" "$(median "$bin" sbom --offline --sbom-format spdx -o "$work/sbom2")"
printf '%-58s %8s\n' "check --offline (warm)" "$(median "$bin" check --offline)"
printf '%-58s %8s\n' "main job --offline --no-build (warm)" "$(median "$bin" --offline --no-build)"
echo
echo "components: cargo cyclonedx $(python3 -c "import json,glob; print(len(json.load(open(glob.glob('*.cdx.json')[0]))['components']))" 2>/dev/null || echo '?'), ours $(python3 -c "import json,glob; print(len(json.load(open(glob.glob('$work/sbom/*.cdx.json')[0]))['components']))")"

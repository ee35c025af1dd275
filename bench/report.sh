#!/usr/bin/env bash
# Benchmark of the release page on a large real workspace: how long rendering
# release-evidence.html takes inside the main job (in-process timing, RELEASE_EVIDENCE_TIMINGS)
# and how big the page is, next to the whole main job without the build.
# Not a test: it prints figures for the README.
#
#   bench/report.sh [WORKSPACE_DIR] [ADVISORY_DB_DIR]
#
# Defaults: ../shared/bench/large (run `cargo fetch` in it once) and ../shared/advisory-db.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here/../shared/bench/large}" && pwd)
src_db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}

cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
target=${CARGO_TARGET_DIR:-$here/target}
bin="$target/release/cargo-release-evidence"
# The benchmark workspace builds into its own target directory.
unset CARGO_TARGET_DIR

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src_ws" "$work/ws"; chmod -R u+w "$work/ws"
cd "$work/ws"
cargo fetch --locked -q
"$bin" init --offline -q
sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' release-evidence.toml
sed -i -e "s|^# db-path = .*|db-path = \"$src_db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml
# The main job without the build (see bench/evidence.sh): a placeholder stands in for the rlib.
mkdir -p target/release
head -c 4000000 /dev/urandom > target/release/libbench_large.rlib

"$bin" check --offline >/dev/null 2>&1 || true   # warm the metadata cache
page_ms=()
job_ms=()
for _ in $(seq "$runs"); do
  s=$(date +%s%N)
  t=$( (RELEASE_EVIDENCE_TIMINGS=1 "$bin" --offline --no-build -q 2>&1 >/dev/null || true) | sed -n "s/^timing: html page rendered at //p")
  e=$(date +%s%N)
  job_ms+=("$(( (e - s) / 1000000 ))")
  case "$t" in
    *ms) page_ms+=("${t%ms}") ;;
    *µs) page_ms+=("$(awk "BEGIN {print ${t%µs} / 1000}")") ;;
    *s) page_ms+=("$(awk "BEGIN {print ${t%s} * 1000}")") ;;
  esac
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
page=$(ls -d target/release/release-evidence/*/release-evidence.html)
echo "workspace: $src_ws ($(grep -c '^name = ' Cargo.lock) locked packages), $(nproc) cores, $runs runs"
printf '%-52s %10s\n' "rendering release-evidence.html (median)" "$(median "${page_ms[@]}") ms"
printf '%-52s %10s\n' "main job --offline --no-build, whole run (median)" "$(median "${job_ms[@]}") ms"
printf '%-52s %10s\n' "release-evidence.html size" "$(stat -c %s "$page") bytes"
python3 - "$page" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
drawn = len(re.findall(r'<g class="n[ "]', html))
rows = html.split('<div id="pkg-list">')[1].count("<tr>") - 1
print(f"{'packages in the list / boxes drawn':<52} {rows:>5} / {drawn}")
PY
"$bin" report -o "$work/report.html" >/dev/null && echo "report: ok ($(stat -c %s "$work/report.html") bytes)"

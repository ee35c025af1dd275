#!/usr/bin/env bash
# Benchmark of adoption on a large real workspace: `init` cold (no cached cargo metadata, no
# policy), `review` cold (source facts counted from cargo's registry cache) and warm (the
# counts read from target/release-evidence/review-facts.json), `review baseline`, `export`.
# Not a test: it prints figures for the README.
#
#   bench/adopt.sh [WORKSPACE_DIR] [ADVISORY_DB_DIR]
#
# Defaults: ../shared/bench/large (run `cargo fetch` in it once) and ../shared/advisory-db.
# CARGO_TARGET_DIR is honoured for the tool's own release build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here/../shared/bench/large}" && pwd)
src_db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}

cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="${CARGO_TARGET_DIR:-$here/target}/release/cargo-release-evidence"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src_ws" "$work/ws"; chmod -R u+w "$work/ws"
cd "$work/ws"
unset CARGO_TARGET_DIR
cargo fetch --locked -q

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'; }
opts=(--offline --advisory-db "$src_db")

init=(); review_cold=(); review_warm=(); baseline=(); export=()
for _ in $(seq "$runs"); do
  rm -rf target release-evidence.toml
  init+=("$(ms "$bin" init --offline -q)")
  sed -i -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml
  review_cold+=("$(ms "$bin" review "${opts[@]}")")
  review_warm+=("$(ms "$bin" review "${opts[@]}")")
  cp release-evidence.toml policy.before
  baseline+=("$(ms "$bin" review baseline --rationale bench --reviewer bench@example.com "${opts[@]}")")
  export+=("$(ms "$bin" export cargo-deny -o deny.toml)")
done
cp policy.before release-evidence.toml
pending=$("$bin" review "${opts[@]}" --format json 2>/dev/null | grep -c '^      "name"' || true)
echo "workspace: $src_ws ($(grep -c '^name = ' Cargo.lock) packages in Cargo.lock), $(nproc) cores, median of $runs runs"
echo "init (cold: cargo metadata runs, no policy)      $(printf '%s\n' "${init[@]}" | median)s"
echo "review, $pending crates (cold: source counted)  $(printf '%s\n' "${review_cold[@]}" | median)s"
echo "review, $pending crates (warm)                  $(printf '%s\n' "${review_warm[@]}" | median)s"
echo "review baseline ($pending entries written)       $(printf '%s\n' "${baseline[@]}" | median)s"
echo "export cargo-deny                                 $(printf '%s\n' "${export[@]}" | median)s"

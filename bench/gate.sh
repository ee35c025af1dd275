#!/usr/bin/env bash
# Benchmark of `check` against cargo metadata, cargo deny and cargo audit on a large real
# workspace with the full advisory DB. Not a test: it prints figures for the README.
#
#   bench/gate.sh [WORKSPACE_DIR] [ADVISORY_DB_DIR]
#
# Defaults: ../shared/bench/large (run `cargo fetch` in it once) and ../shared/advisory-db.
# Needs cargo-deny and cargo-audit (installed with `cargo install --locked` when missing).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here/../shared/bench/large}" && pwd)
src_db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}

command -v cargo-deny >/dev/null || cargo install --locked cargo-deny
command -v cargo-audit >/dev/null || cargo install --locked cargo-audit
cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="$here/target/release/cargo-release-evidence"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src_ws" "$work/ws"; chmod -R u+w "$work/ws"
# cargo-deny and cargo-audit want the DB as a git checkout: make one from the snapshot.
cp -r "$src_db" "$work/db"; chmod -R u+w "$work/db"
git -C "$work/db" init -q && git -C "$work/db" add -A \
  && git -C "$work/db" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
cd "$work/ws"
cargo fetch --locked -q

# A policy approving everything that ships (from `init`), so the gate does all its work.
"$bin" init --offline -q
sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' release-evidence.toml
printf '\n' >> release-evidence.toml
sed -i -e "s|^# db-path = .*|db-path = \"$work/db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml

# cargo-deny keeps its DBs under db-path in a directory named after the URL's hash: ask it
# where, and put the snapshot there.
mkdir -p "$work/deny-dbs"
printf '[advisories]\ndb-path = "%s"\n' "$work/deny-dbs" > deny.toml
deny_db=$(cargo deny --offline check advisories 2>&1 | grep -o "$work/deny-dbs/advisory-db-[0-9a-f]*" | head -1 || true)
[ -n "$deny_db" ] && ln -s "$work/db" "$deny_db"

# median wall seconds of a command over $runs runs (after one warm-up)
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
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}'; }

echo "workspace: $src_ws ($(grep -c '^name = ' Cargo.lock) locked packages)"
echo "advisory db: $src_db ($(find "$work/db/crates" -name '*.md' | wc -l) crate advisories)"
echo "machine: $(nproc) cores"
printf '%-55s %8s\n' "command" "median s"
printf '%-55s %8s\n' "cargo metadata --offline (all features)" "$(median cargo metadata --offline --format-version 1 --all-features)"
printf '%-55s %8s\n' "cargo deny --offline check" "$(median cargo deny --offline check)"
printf '%-55s %8s\n' "cargo audit (no fetch)" "$(median cargo audit --no-fetch --db "$work/db")"
printf '%-55s %8s\n' "cargo audit (no fetch, no yanked check)" "$(median cargo audit --no-fetch --no-yanked --db "$work/db")"
printf '%-55s %8s\n' "check --offline, cold (--no-cache: runs cargo metadata)" "$(median "$bin" check --offline --no-cache)"
"$bin" check --offline >/dev/null 2>&1 || true
printf '%-55s %8s\n' "check --offline, warm (metadata cache valid)" "$(median "$bin" check --offline)"
printf '%-55s %8s\n' "check --offline --all-platforms --all-features, warm" "$(median "$bin" check --offline --all-platforms --all-features)"
# The gate computed (its result cache not used) from metadata cargo already wrote: what a warm
# run costs when an input changed, and what the main job pays for its gate.
cargo metadata --offline --format-version 1 --all-features > "$work/meta-computed.json"
printf '%-55s %8s\n' "check --offline, gate computed (--metadata-path --no-cache)" "$(median "$bin" check --offline --metadata-path "$work/meta-computed.json" --no-cache)"
echo
echo "peak memory (MiB): cargo metadata $(rss cargo metadata --offline --format-version 1 --all-features)," \
  "check warm $(rss "$bin" check --offline)," \
  "check from --metadata-path (own process only) $(cargo metadata --offline --format-version 1 --all-features > "$work/meta.json"; rss "$bin" check --offline --metadata-path "$work/meta.json")"
echo
echo "phases of one warm run:"
RELEASE_EVIDENCE_TIMINGS=1 "$bin" check --offline 2>&1 >/dev/null | grep '^timing' || true
echo "phases of one cold run:"
RELEASE_EVIDENCE_TIMINGS=1 "$bin" check --offline --no-cache 2>&1 >/dev/null | grep '^timing' || true

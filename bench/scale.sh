#!/usr/bin/env bash
# Scale benchmark: `check`, `sbom` and the main job (without the build) on synthetic workspaces
# of 1,000, 5,000 and 10,000 packages shaped like a real one (bench/synthetic-workspace.py copies
# the real graph of ../shared/bench/large), read through --metadata-path, with the full advisory
# DB. Prints the median wall time and peak memory per size and the fitted growth exponent
# (t ∝ N^k between the smallest and the largest size). Not a test.
#
#   bench/scale.sh [SIZES...]        (default: 1000 5000 10000)
#
# Needs ../shared/bench/large with `cargo fetch` done once, and ../shared/advisory-db.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
large=$(cd "${LARGE:-$here/../shared/bench/large}" && pwd)
db=$(cd "${DB:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-5}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 10000)

cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="$here/target/release/cargo-release-evidence"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$large" && cargo metadata --offline --format-version 1 --all-features) > "$work/real.json"

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
rss() { { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -1 | awk '{printf "%.0f", $1/1024}'; }

echo "machine: $(nproc) cores; advisory db: $db; $runs runs each (median)"
printf '%-8s %8s %10s %12s %8s %8s %12s %10s\n' packages shipped "check s" "computed s" "sbom s" "main s" "computed MiB" "main MiB"
declare -A check_t
for n in "${sizes[@]}"; do
  ws="$work/ws$n"
  python3 "$here/bench/synthetic-workspace.py" "$work/real.json" "$large/Cargo.lock" "$n" "$ws" 2>/dev/null
  cd "$ws"
  "$bin" release-evidence init --offline --metadata-path metadata.json --advisory-db "$db" -q
  # Approve everything, so the gate does all its work (as bench/gate.sh does).
  sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' \
    -e "s|^# db-path = .*|db-path = \"$db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml
  # The main job with --no-build takes the artifact a build would have left.
  mkdir -p target/release && head -c 1000000 /dev/zero > target/release/libsynth_app.rlib
  common=(--offline --metadata-path metadata.json --date 2026-09-01)
  shipped=$("$bin" release-evidence check "${common[@]}" --format json 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["packages"])' || true)
  c=$(median "$bin" release-evidence check "${common[@]}")
  # The gate computed from the metadata (its cached result not reused).
  cc=$(median "$bin" release-evidence check "${common[@]}" --no-cache)
  s=$(median "$bin" release-evidence sbom "${common[@]}")
  m=$(median "$bin" release-evidence "${common[@]}" --no-build --force)
  cm=$(rss "$bin" release-evidence check "${common[@]}" --no-cache)
  mm=$(rss "$bin" release-evidence "${common[@]}" --no-build --force)
  check_t[$n]=$cc
  printf '%-8s %8s %10s %12s %8s %8s %12s %10s\n' "$n" "$shipped" "$c" "$cc" "$s" "$m" "$cm" "$mm"
  cd "$here"
done
first=${sizes[0]}; last=${sizes[${#sizes[@]}-1]}
if [ "$first" != "$last" ]; then
  python3 -c "import math; print('the computed check grows as N^%.2f between %s and %s packages' % (math.log(${check_t[$last]}/${check_t[$first]})/math.log($last/$first), $first, $last))"
fi

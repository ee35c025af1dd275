#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind) of warm `check` and `sbom` on the 847-package
# workspace, compared with bench/baseline.txt: a regression shows even on a noisy, shared machine,
# where wall-clock times move by ±15%. Not a test.
#
#   bench/instructions.sh            compare with bench/baseline.txt (ratio per measure)
#   bench/instructions.sh --update   rewrite bench/baseline.txt with this run's counts
#
# Needs valgrind, ../shared/bench/large (`cargo fetch` once) and ../shared/advisory-db.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
large=$(cd "${LARGE:-$here/../shared/bench/large}" && pwd)
db=$(cd "${DB:-$here/../shared/advisory-db}" && pwd)
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 2; }

cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="$here/target/release/cargo-release-evidence"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$large" "$work/ws"; chmod -R u+w "$work/ws"; rm -rf "$work/ws/target"
cd "$work/ws"
"$bin" release-evidence init --offline --advisory-db "$db" -q
sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' \
  -e "s|^# db-path = .*|db-path = \"$db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml
common=(--offline --date 2026-09-01)
"$bin" release-evidence check "${common[@]}" >/dev/null 2>&1 || true   # warms the metadata cache
# The main job with --no-build hashes the artifact a build would have left: 4 MB of zeros.
mkdir -p target/release && head -c 4000000 /dev/zero > target/release/libbench_large.rlib

# Total instructions (Ir) of one run of our process; cargo is not run on the warm path.
count() {
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" >/dev/null 2>"$work/cg.err" || true
  grep -m1 '^summary:' "$work/cg.out" | awk '{print $2}'
}

declare -A now
now[check-warm]=$(count "$bin" release-evidence check "${common[@]}")
now[sbom-warm]=$(count "$bin" release-evidence sbom "${common[@]}")
# The gate computed from the cached metadata, without reusing its earlier result.
now[check-computed]=$(count "$bin" release-evidence check "${common[@]}" --no-cache)
# The main job without the build (it always computes its gate; valgrind's CPU has no SHA
# instructions, so the artifact's hashing counts more here than it costs natively).
"$bin" release-evidence "${common[@]}" --no-build >/dev/null 2>&1 || true
now[main-no-build]=$(count "$bin" release-evidence "${common[@]}" --no-build)

if [ "${1:-}" = "--update" ]; then
  {
    echo "# bench/instructions.sh: instructions (callgrind Ir) per run, $(date -u +%F), $(git -C "$here" rev-parse --short HEAD)"
    for k in check-warm check-computed sbom-warm main-no-build; do echo "$k ${now[$k]}"; done
  } > "$here/bench/baseline.txt"
  cat "$here/bench/baseline.txt"
  exit 0
fi
printf '%-12s %15s %15s %8s\n' measure baseline now ratio
while read -r key base; do
  case "$key" in ''|\#*) continue ;; esac
  printf '%-12s %15s %15s %8s\n' "$key" "$base" "${now[$key]:-?}" \
    "$(python3 -c "print('%.3f' % (${now[$key]:-0}/$base))")"
done < "$here/bench/baseline.txt"

#!/usr/bin/env bash
# What the standard formats of issue 14 add to the main job: the artifact's SHA-512, the VEX
# documents (OpenVEX, CycloneDX VEX) and the SOUP list (JSON, CSV, the record's section), timed
# inside the job (RELEASE_EVIDENCE_TIMINGS), and the whole main job without the build with the
# default CycloneDX 1.6 against `--cyclonedx-version 1.5 --sbom-vulnerabilities`; and the SPDX
# documents (`--sbom-format spdx --sbom-format spdx3`): each one's rendering timed inside the job,
# and the whole job with them.
# Not a test: it prints figures for the README.
#
#   bench/formats.sh [WORKSPACE_DIR] [ADVISORY_DB_DIR]
#
# Defaults: ../shared/bench/large (run `cargo fetch` in it once) and ../shared/advisory-db;
# `bench/formats.sh example-workspace example-workspace/advisory-db` measures the example.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here/../shared/bench/large}" && pwd)
src_db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}

cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
target=${CARGO_TARGET_DIR:-$here/target}
bin="$target/release/cargo-release-evidence"
unset CARGO_TARGET_DIR

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src_ws" "$work/ws"; chmod -R u+w "$work/ws"
# The example links its build-script crate from beside it (vendor/release-evidence-build).
cp -r "$here/release-evidence-build" "$work/release-evidence-build"
cd "$work/ws"
rm -rf target
if [ ! -f release-evidence.toml ]; then
  cargo fetch --locked -q
  "$bin" init --offline -q
  sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' release-evidence.toml
fi
sed -i -e "s|^# db-path = .*|db-path = \"$src_db\"|" -e "s|^db-path = .*|db-path = \"$src_db\"|" \
  -e 's/^max-age-days = .*/max-age-days = 36500/' release-evidence.toml
# Without the build: a placeholder stands in for each artifact a build would leave (4 MB).
"$bin" check --offline >/dev/null 2>&1 || true   # warm the metadata cache
mkdir -p target/release
for lib in $(cargo metadata --offline --format-version 1 --no-deps 2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)
for p in m["packages"]:
    for t in p["targets"]:
        if "bin" in t["kind"]: print(t["name"])
        elif "lib" in t["kind"] or "rlib" in t["kind"]: print("lib" + t["name"].replace("-", "_") + ".rlib")
'); do head -c 4000000 /dev/urandom > "target/release/$lib"; done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure [ARGS…]: the median of the in-job timing named by $phase (default: vex and soup) and of
# the whole job.
measure() {
  local fmt_ms=() job_ms=()
  for _ in $(seq "$runs"); do
    local s e t
    s=$(date +%s%N)
    t=$( (RELEASE_EVIDENCE_TIMINGS=1 "$bin" --offline --no-build -q --date 2026-09-01 "$@" 2>&1 >/dev/null || true) \
      | sed -n "s/^timing: ${phase:-vex and soup} took //p" | tail -1)
    e=$(date +%s%N)
    job_ms+=("$(( (e - s) / 1000000 ))")
    case "$t" in
      *ms) fmt_ms+=("${t%ms}") ;;
      *µs) fmt_ms+=("$(awk "BEGIN {print ${t%µs} / 1000}")") ;;
      *ns) fmt_ms+=("$(awk "BEGIN {print ${t%ns} / 1000000}")") ;;
      *s) fmt_ms+=("$(awk "BEGIN {print ${t%s} * 1000}")") ;;
    esac
  done
  echo "$(median "${fmt_ms[@]}") $(median "${job_ms[@]}")"
}
read -r f16 j16 < <(measure)
read -r f15 j15 < <(measure --cyclonedx-version 1.5 --sbom-vulnerabilities)
read -r fs2 js < <(phase=spdx-2.3 measure --sbom-format spdx --sbom-format spdx3)
read -r fs3 _ < <(phase=spdx-3.0.1 measure --sbom-format spdx --sbom-format spdx3)
dir=$(ls -d target/release/release-evidence/*/ | head -1)
echo "workspace: $src_ws ($(grep -c '^name = ' Cargo.lock) locked packages), $(nproc) cores, $runs runs"
echo "components in the SBOM: $(python3 -c "import json,glob; print(len(json.load(open(glob.glob('$dir*.cdx.json')[0]))['components']))"), SOUP items: $(python3 -c "import json; print(len(json.load(open('${dir}soup.json'))['items']))")"
printf '%-62s %10s\n' "SHA-512 + VEX + SOUP inside the main job (median, 1.6)" "$f16 ms"
printf '%-62s %10s\n' "main job --offline --no-build, whole run (median, 1.6)" "$j16 ms"
printf '%-62s %10s\n' "the same, --cyclonedx-version 1.5 --sbom-vulnerabilities" "$j15 ms"
printf '%-62s %10s\n' "SPDX 2.3 rendered inside the main job (median)" "$fs2 ms"
printf '%-62s %10s\n' "SPDX 3.0.1 rendered inside the main job (median)" "$fs3 ms"
printf '%-62s %10s\n' "main job with --sbom-format spdx --sbom-format spdx3 (median)" "$js ms"
ls -l "$dir" | awk 'NR>1 && ($9 ~ /vex|soup|cdx|spdx/) {printf "  %-40s %10s bytes\n", $9, $5}'

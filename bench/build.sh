#!/usr/bin/env bash
# Benchmark of the controlled build: the overhead of `build` over a plain
# `cargo build --release --locked`, and the cost of `--check-reproducible` relative to one clean
# release build (the floor is 2x). Clean builds each time (a fresh target dir).
#
#   bench/build.sh [WORKSPACE_DIR]
#
# Default: this repository's own workspace (cargo-release-evidence and its ~130 dependencies),
# a real medium-size build; `example-workspace` also works but builds in about a second.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
src_ws=$(cd "${1:-$here}" && pwd)
runs=${RUNS:-3}
cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="$here/target/release/cargo-release-evidence"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$src_ws" "$work/ws"
# example-workspace links vendor/release-evidence-build to ../../release-evidence-build.
cp -a "$here/release-evidence-build" "$work/release-evidence-build"
cd "$work/ws"
rm -rf target "$work/release-evidence-build/target"
[ -f release-evidence.toml ] || { "$bin" init --offline -q --workspace;
  sed -i -e 's/^pending-review = true/reviewed-by = "bench"\ndate = 2026-01-01\nrationale = "bench"/' release-evidence.toml; }
[ -d "$here/example-workspace/advisory-db" ] && sed -i -e "s|^# db-path = .*|db-path = \"$here/example-workspace/advisory-db\"|" -e 's/^max-age-days = 7/max-age-days = 36500/' release-evidence.toml
pkg=$(grep -m1 '^members' release-evidence.toml | sed 's/.*\["\([^"]*\)".*/\1/')
[ -n "$pkg" ] || pkg=cargo-release-evidence

secs() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }

plain=(); ours=(); repro=()
for _ in $(seq "$runs"); do
  rm -rf target; plain+=("$(secs cargo build --release --locked --offline -p "$pkg")")
  [ -x "target/release/$pkg" ] || [ -f "target/release/lib${pkg//-/_}.rlib" ] || { echo "plain build failed" >&2; exit 1; }
  rm -rf target; ours+=("$(secs "$bin" build --offline -q -p "$pkg")")
  rm -rf target; repro+=("$(secs "$bin" build --offline -q -p "$pkg" --check-reproducible)")
done
p=$(printf '%s\n' "${plain[@]}" | median); o=$(printf '%s\n' "${ours[@]}" | median); r=$(printf '%s\n' "${repro[@]}" | median)
echo "workspace: $src_ws, package $pkg, $(nproc) cores, median of $runs clean builds"
echo "cargo build --release --locked          ${p}s"
echo "cargo release-evidence build            ${o}s   ($(awk "BEGIN{printf \"%+.1f\", ($o/$p-1)*100}")% overhead)"
echo "build --check-reproducible              ${r}s   ($(awk "BEGIN{printf \"%.2f\", $r/$p}")x one clean build)"

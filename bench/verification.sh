#!/usr/bin/env bash
# Benchmark of verification ingestion: what reading a 5,000-test JUnit report, a 2 MB LCOV file
# and a 1,000-result SARIF log (plus the example's requirements and trace markers) adds to the
# main job. Both variants run `--offline --no-build` on a copy of example-workspace after one
# release build, so the difference is the verification stage (parse, bind, check, trace
# matrix, copy into the evidence with fsync, SHA256SUMS over the bigger files).
#
#   bench/verification.sh            RUNS=9 by default
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-9}
cargo build --release --locked --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
bin="${CARGO_TARGET_DIR:-$here/target}/release/cargo-release-evidence"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$here/example-workspace" "$work/ws"
cp -a "$here/release-evidence-build" "$work/release-evidence-build"
cd "$work/ws"
rm -rf target
unset CARGO_TARGET_DIR

python3 - <<'PY'
import os, random
random.seed(7)
os.makedirs("reports", exist_ok=True)
# 5,000 tests in 50 suites, 1% failing, 2% skipped, as cargo-nextest writes them.
with open("reports/junit.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="nextest-run" tests="5000" timestamp="2026-11-24T12:00:00+00:00">\n')
    for s in range(50):
        f.write(f'  <testsuite name="crate-{s}" tests="100" timestamp="2026-11-24T12:00:00+00:00">\n')
        for t in range(100):
            name = f"module_{t % 7}::tests::case_{s}_{t}_checks_the_frame_encoder_with_input_{t * 31 % 97}"
            r = random.random()
            if r < 0.01:
                f.write(f'    <testcase name="{name}" classname="crate-{s}" time="0.01"><failure type="test failure">assertion failed at src/lib.rs:{t}</failure><system-out>captured output line\n</system-out></testcase>\n')
            elif r < 0.03:
                f.write(f'    <testcase name="{name}" classname="crate-{s}" time="0"><skipped/></testcase>\n')
            else:
                f.write(f'    <testcase name="{name}" classname="crate-{s}" time="0.003"/>\n')
        f.write('  </testsuite>\n')
    f.write('</testsuites>\n')
# ~2 MB of LCOV: 400 files of ~330 lines with branches.
with open("reports/lcov.info", "w") as f:
    n = 0
    while f.tell() < 2_000_000:
        f.write(f"TN:\nSF:/ci/checkout/crate-{n % 50}/src/gen/file_{n}.rs\n")
        for l in range(1, 330):
            f.write(f"DA:{l},{random.choice([0, 1, 1, 3, 12])}\n")
            if l % 10 == 0:
                f.write(f"BRDA:{l},0,0,{random.choice(['-', '0', '2'])}\nBRDA:{l},0,1,1\n")
        f.write("end_of_record\n")
        n += 1
# 1,000 SARIF results over 20 rules.
import json
rules = [{"id": f"rule-{i}", "defaultConfiguration": {"level": "warning"}} for i in range(20)]
results = [{"ruleId": f"rule-{i % 20}", "level": ["note", "warning"][i % 2],
            "message": {"text": f"finding {i}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "sensor-core/src/lib.rs"},
                                                 "region": {"startLine": 1 + i % 160}}}]} for i in range(1000)]
json.dump({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "semgrep", "rules": rules}},
           "invocations": [{"executionSuccessful": True, "endTimeUtc": "2026-11-24T12:00:00Z"}],
           "results": results}]}, open("reports/semgrep.sarif", "w"))
PY
ls -l reports >&2

cut=$(grep -n '^# Verification evidence:' release-evidence.toml | cut -d: -f1)
head -n $((cut - 1)) release-evidence.toml > policy-without.toml
cp policy-without.toml policy-with.toml
cat >> policy-with.toml <<'TOML'
[verification]
requirements = "requirements.toml"
blocking-classes = ["C"]

[[verification.suite]]
name = "unit"
reports = ["reports/junit.xml"]

[verification.coverage]
format = "lcov"
reports = ["reports/lcov.info"]
min-line = 10.0

[verification.static-analysis]
reports = ["reports/semgrep.sarif"]
max-level = "error"
TOML

"$bin" --offline -q --date 2026-11-24 --policy policy-without.toml >/dev/null 2>&1 || true   # the release build, once
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
without=(); with=()
for _ in $(seq "$runs"); do
  without+=("$(ms "$bin" --offline -q --no-build --date 2026-11-24 --policy policy-without.toml)")
  with+=("$(ms "$bin" --offline -q --no-build --date 2026-11-24 --policy policy-with.toml)")
done
"$bin" --offline --no-build --date 2026-11-24 --policy policy-with.toml --format json 2>/dev/null \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("with: decision", r["decision"], "-", len(r.get("verification_findings", [])), "verification findings")' >&2 || true
a=$(printf '%s\n' "${without[@]}" | median); b=$(printf '%s\n' "${with[@]}" | median)
echo "example-workspace, $(nproc) cores, median of $runs runs, main job --offline --no-build"
echo "without [verification]                          ${a} ms"
echo "with 5,000-test JUnit, 2 MB LCOV, 1,000 SARIF   ${b} ms   (+$((b - a)) ms)"

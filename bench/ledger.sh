#!/usr/bin/env bash
# Benchmark of the ledger. Not a test: it prints figures for the README.
#
#   bench/ledger.sh [N] [ADVISORY_DB_DIR]
#
# 1. Makes the example's release evidence (main job, three approvals, release signature, as the
#    tests do) and times `ledger add` of it into a fresh ledger.
# 2. Grows the ledger to N releases (default 1000) with synthetic copies of that release: each
#    keeps the example's 30 components and gets 470 more drawn from the crates the advisory DB
#    knows (random versions), so every component is matched against real advisories — the
#    worst case for `monitor`. Rows are written with Python's sqlite3 into the tool's own schema.
# 3. Times `ledger query --crate`, `ledger list` and `monitor` against the full DB.
#
# Defaults: ../shared/advisory-db. BIN: the binary (default: a release build in the target dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000}
db=$(cd "${2:-$here/../shared/advisory-db}" && pwd)
runs=${RUNS:-7}
target_dir=${CARGO_TARGET_DIR:-$here/target}
if [ -z "${BIN:-}" ]; then
  cargo build --release --offline --manifest-path "$here/Cargo.toml" -p cargo-release-evidence >&2
  BIN="$target_dir/release/cargo-release-evidence"
fi
date=2026-09-01

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/example-workspace" "$work/ws"
rm -rf "$work/ws/target"
cp -r "$here/release-evidence-build" "$work/release-evidence-build"
cd "$work/ws"
# Without [verification] (no `test` run needed), with approvals and the smallvec exception.
policy=$(sed -n '1,/^# Verification evidence:/p' release-evidence.toml | sed '$d')
printf '%s\n' "$policy" > release-evidence.toml
mkdir "$work/keys"
for k in qa ra sec release; do ssh-keygen -q -N '' -t ed25519 -C $k -f "$work/keys/$k"; done
pub() { cut -d' ' -f1,2 "$work/keys/$1.pub"; }
{
  echo "qa@example.com namespaces=\"release-evidence-approval-v1\" $(pub qa)"
  echo "ra@example.com namespaces=\"release-evidence-approval-v1\" $(pub ra)"
  echo "sec@example.com namespaces=\"release-evidence-approval-v1\" $(pub sec)"
  echo "release@example.com namespaces=\"release-evidence-artifact-v1\" $(pub release)"
} > allowed_signers
cat >> release-evidence.toml <<'EOF'

[approvals]
required-roles = ["qa", "regulatory", "security"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["regulatory", "security"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
regulatory = ["ra@example.com"]
security = ["sec@example.com"]

[[advisories.exception]]
id = "RUSTSEC-2021-0003"
crate = "smallvec"
reason = "insert_many is never called"
approved-by = "security@example.com"
expires = 2027-06-30
EOF
SOURCE_DATE_EPOCH=1780000000 "$BIN" --offline --date $date -q
for r in qa:qa regulatory:ra security:sec; do
  "$BIN" approve --date $date --role "${r%%:*}" --key "$work/keys/${r#*:}" -q
done
"$BIN" sign --date $date --key "$work/keys/release" -q
ev="$work/ws/target/release/release-evidence/thermo-fw-0.9.0"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # label, command…
  local label=$1; shift
  local t
  t=$(for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null || [ $? -eq 1 ]; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median)
  printf '| %s | %s ms |\n' "$label" "$t"
}

echo "| command | median |"
echo "|---|---:|"
# `ledger add` into a fresh ledger each time (verification included).
t=$(for i in $(seq "$runs"); do
  s=$(date +%s%N); "$BIN" ledger --ledger "$work/add-$i.sqlite3" add "$ev" --date $date >/dev/null; e=$(date +%s%N)
  echo $(( (e - s) / 1000000 ))
done | median)
printf '| `ledger add` (the example: %s files, 30 components; verify included) | %s ms |\n' \
  "$(find "$ev" -type f | wc -l)" "$t"
timeit '`verify` of the same directory (for comparison)' "$BIN" verify "$ev" --date $date

ledger="$work/ledger.sqlite3"
cp "$work/add-1.sqlite3" "$ledger"
python3 - "$ledger" "$db" "$n" <<'EOF'
import os, random, sqlite3, sys
path, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(7)
pool = sorted(os.listdir(os.path.join(db, "crates")))
con = sqlite3.connect(path)
c = con.cursor()
base = c.execute("SELECT * FROM releases WHERE id = 1").fetchone()
cols = [d[0] for d in c.description]
comps = c.execute("SELECT name, version, source, purl, kind FROM components WHERE release_id = 1").fetchall()
files = c.execute("SELECT path, sha256, size, executable FROM files WHERE release_id = 1").fetchall()
exc = c.execute("SELECT advisory, crate, reason, approved_by, expires FROM exceptions WHERE release_id = 1").fetchall()
for i in range(1, n):
    row = dict(zip(cols, base))
    row.pop("id")
    row["version"] = f"0.9.{i}"
    row["bundle_digest"] = f"synthetic-{i}"
    c.execute(f"INSERT INTO releases ({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))
    rid = c.lastrowid
    extra = []
    for name in random.sample(pool, 470):
        v = f"{random.randint(0, 3)}.{random.randint(0, 30)}.{random.randint(0, 20)}"
        extra.append((name, v, "crates.io", f"pkg:cargo/{name}@{v}", random.choice(["linked", "linked", "build-time"])))
    c.executemany("INSERT INTO components (release_id, name, version, source, purl, kind) VALUES (?,?,?,?,?,?)",
                  [(rid, *x) for x in comps + extra])
    c.executemany("INSERT INTO files (release_id, path, sha256, size, executable) VALUES (?,?,?,?,?)",
                  [(rid, *x) for x in files])
    c.executemany("INSERT INTO exceptions (release_id, advisory, crate, reason, approved_by, expires) VALUES (?,?,?,?,?,?)",
                  [(rid, *x) for x in exc])
con.commit()
print(f"synthetic ledger: {n} releases, {c.execute('SELECT COUNT(*) FROM components').fetchone()[0]} components, "
      f"{os.path.getsize(path) // 1048576} MiB", file=sys.stderr)
EOF
timeit "\`ledger query --crate smallvec@<0.6.14\` ($n releases)" "$BIN" ledger --ledger "$ledger" query --crate 'smallvec@<0.6.14'
timeit "\`ledger list\` ($n releases)" "$BIN" ledger --ledger "$ledger" list
timeit "\`monitor --offline\` ($n releases × 500 components, full DB)" \
  "$BIN" monitor --ledger "$ledger" --advisory-db "$db" --offline --date $date --format json

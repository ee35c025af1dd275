#!/usr/bin/env bash
# Benchmark of the ledger. Not a test: it prints figures for the README.
#
#   bench/ledger.sh ["N…"] [ADVISORY_DB_DIR]     e.g. bench/ledger.sh "1000 10000"
#
# 1. Makes the example's release evidence (main job, three approvals, release signature, as the
#    tests do) and times `ledger add` of it into a fresh ledger.
# 2. Grows the ledger to N releases (default 1000) with synthetic copies of that release: each
#    keeps the example's 30 components and gets 470 more drawn from a real SBOM shape, the
#    crates.io packages of LOCK (default ../shared/bench/large/Cargo.lock, 847 packages), a
#    fifth of them one patch version further (releases drift). With WORST=1 the 470 are drawn
#    from the crates the advisory DB knows, at random versions: every component is matched
#    against real advisories (the worst case for `monitor`). Rows are written with Python's
#    sqlite3 into the tool's own schema.
# 3. Times `ledger query --crate`, `ledger list` and `monitor` against the full DB.
# 4. The same on PostgreSQL (unless PG=0): the server of tests/postgres/setup.sh (started when
#    needed), `ledger add` into fresh databases, and the synthetic ledger copied into a fresh
#    database (the tool writes the schema and release 1; the synthetic rows go in with COPY).
#
# Defaults: ../shared/advisory-db. BIN: the binary (default: a release build in the target dir).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sizes=${1:-1000}
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
# The example's own target directory, whatever CARGO_TARGET_DIR says.
unset CARGO_TARGET_DIR
SOURCE_DATE_EPOCH=1780000000 "$BIN" --offline --date $date -q
for r in qa:qa regulatory:ra security:sec; do
  "$BIN" approve --date $date --role "${r%%:*}" --key "$work/keys/${r#*:}" -q
done
"$BIN" sign --date $date --key "$work/keys/release" -q
ev="$work/ws/target/release/release-evidence/thermo-fw-0.9.0"
"$BIN" verify "$ev" --date $date -q >/dev/null

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

pg=${PG:-1}
if [ "$pg" = 1 ]; then
  bash "$here/tests/postgres/setup.sh"
  server=$(cat "$here/target/postgres/url")
  pgbase=${server%/*}
  cleanup() {
    cd /
    rm -rf "$work"
    for d in $(psql -X -A -t -d "$server" -c "SELECT datname FROM pg_database WHERE datname LIKE 'bench_ledger_$$%'"); do
      psql -X -q -d "$server" -c "DROP DATABASE IF EXISTS $d" >/dev/null
    done
  }
  trap cleanup EXIT
  fresh() { # prints the URL of a new database
    local name="bench_ledger_$$_$1"
    psql -X -q -d "$server" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" >/dev/null
    echo "$pgbase/$name"
  }
  for i in $(seq "$runs"); do fresh "add$i" >/dev/null; done
  t=$(for i in $(seq "$runs"); do
    s=$(date +%s%N); "$BIN" ledger --ledger "$pgbase/bench_ledger_$$_add$i" add "$ev" --date $date >/dev/null; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median)
  printf '| `ledger add` on PostgreSQL (the same; a new database: schema created in the same run) | %s ms |\n' "$t"
  t=$(for i in $(seq "$runs"); do
    fresh "again$i" >/dev/null
    "$BIN" ledger --ledger "$pgbase/bench_ledger_$$_again$i" list >/dev/null
    s=$(date +%s%N); "$BIN" ledger --ledger "$pgbase/bench_ledger_$$_again$i" add "$ev" --date $date >/dev/null; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median)
  printf '| `ledger add` on PostgreSQL (the same; schema already there) | %s ms |\n' "$t"
fi

ledger="$work/ledger.sqlite3"
cp "$work/add-1.sqlite3" "$ledger"
lock=${LOCK:-$here/../shared/bench/large/Cargo.lock}
for n in $sizes; do
python3 - "$ledger" "$db" "$n" "$lock" "${WORST:-0}" <<'EOF'
import os, random, re, sqlite3, sys
path, db, n, lock, worst = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
random.seed(7)
pool = sorted(os.listdir(os.path.join(db, "crates")))
real = []
for block in open(lock).read().split("[[package]]")[1:]:
    name = re.search(r'^name = "(.*)"', block, re.M)
    version = re.search(r'^version = "(.*)"', block, re.M)
    if name and version and "registry+" in block:
        real.append((name.group(1), version.group(1)))
con = sqlite3.connect(path)
c = con.cursor()
base = c.execute("SELECT * FROM releases WHERE id = 1").fetchone()
cols = [d[0] for d in c.description]
comps = c.execute("SELECT name, version, source, purl, kind FROM components WHERE release_id = 1").fetchall()
files = c.execute("SELECT path, sha256, size, executable FROM files WHERE release_id = 1").fetchall()
exc = c.execute("SELECT advisory, crate, reason, approved_by, expires FROM exceptions WHERE release_id = 1").fetchall()
start = c.execute("SELECT COUNT(*) FROM releases").fetchone()[0]
for i in range(start, n):
    row = dict(zip(cols, base))
    row.pop("id")
    row["version"] = f"0.9.{i}"
    row["bundle_digest"] = f"synthetic-{i}"
    c.execute(f"INSERT INTO releases ({','.join(row)}) VALUES ({','.join('?' * len(row))})", list(row.values()))
    rid = c.lastrowid
    extra = []
    if worst:
        picked = [(name, f"{random.randint(0, 3)}.{random.randint(0, 30)}.{random.randint(0, 20)}")
                  for name in random.sample(pool, 470)]
    else:
        picked = []
        for name, v in random.sample(real, 470):
            if random.random() < 0.2 and re.fullmatch(r"\d+\.\d+\.\d+", v):
                major, minor, patch = v.split(".")
                v = f"{major}.{minor}.{int(patch) + 1}"
            picked.append((name, v))
    for name, v in picked:
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
timeit "\`monitor --offline\` ($n releases, full DB)" \
  "$BIN" monitor --ledger "$ledger" --advisory-db "$db" --offline --date $date --format json
{ "$BIN" monitor --ledger "$ledger" --advisory-db "$db" --offline --date $date --format json || true; } \
  | python3 -c 'import json,sys; r=json.load(sys.stdin); print("monitor: %d advisories, %d affected rows" % (len(r["advisories"]), sum(len(a["affected"]) for a in r["advisories"])), file=sys.stderr)'
if [ "$pg" = 1 ]; then
  url=$(fresh "n$n")
  "$BIN" ledger --ledger "$url" add "$ev" --date $date >/dev/null
  for table in releases components files exceptions; do
    sqlite3 -csv "$ledger" "SELECT * FROM $table WHERE $( [ $table = releases ] && echo id || echo release_id ) > 1" > "$work/$table.csv"
    psql -X -q -d "$url" -c "\\copy $table FROM '$work/$table.csv' CSV" >/dev/null
  done
  psql -X -q -d "$url" -c "SELECT setval(pg_get_serial_sequence('releases', 'id'), (SELECT max(id) FROM releases))" \
    -c "VACUUM ANALYZE" >/dev/null
  echo "PostgreSQL ledger: $(psql -X -A -t -d "$url" -c "SELECT count(*) FROM releases") releases, $(psql -X -A -t -d "$url" -c "SELECT count(*) FROM components") components, $(psql -X -A -t -d "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")" >&2
  timeit "\`ledger query --crate smallvec@<0.6.14\` on PostgreSQL ($n releases)" "$BIN" ledger --ledger "$url" query --crate 'smallvec@<0.6.14'
  timeit "\`ledger list\` on PostgreSQL ($n releases)" "$BIN" ledger --ledger "$url" list
  timeit "\`monitor --offline\` on PostgreSQL ($n releases, full DB)" \
    "$BIN" monitor --ledger "$url" --advisory-db "$db" --offline --date $date --format json
  # Both backends find the same: the reports equal but for the ledger's name and the run dates.
  strip() { python3 -c 'import json,sys; r=json.load(sys.stdin); r.pop("ledger", None); r.pop("changes", None); print(json.dumps(r, sort_keys=True))'; }
  a=$({ "$BIN" monitor --ledger "$ledger" --advisory-db "$db" --offline --date $date --format json || true; } | strip)
  b=$({ "$BIN" monitor --ledger "$url" --advisory-db "$db" --offline --date $date --format json || true; } | strip)
  [ "$a" = "$b" ] && echo "monitor: the same report from SQLite and PostgreSQL" >&2 || echo "monitor: SQLite and PostgreSQL DIFFER" >&2
fi
done

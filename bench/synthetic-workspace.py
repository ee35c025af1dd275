#!/usr/bin/env python3
"""Generates a synthetic workspace of N packages shaped like a real one, for the scale benchmark.

    bench/synthetic-workspace.py METADATA.json CARGO.lock N OUT_DIR

METADATA.json is `cargo metadata --format-version 1 --all-features` of a real one-member
workspace (bench/scale.sh uses ../shared/bench/large: nushell's libraries, 847 packages) and
CARGO.lock its lockfile. The real dependency graph is copied as many times as needed: copy 0 keeps
the real names (so the advisory DB still matches real crates), copy c renames every non-member
package NAME to NAME-sC and keeps the extern crate names through `rename`, so every copy has the
real depth, fan-out, features, target-specific and build dependencies, proc-macros and build
scripts. The last copy is cut in dependency order (a package comes after everything it depends
on), so it stays closed under its dependencies. The one member depends on the real member's
direct dependencies in every copy, and on the packages of a cut copy that nothing else in it
depends on.

OUT_DIR gets Cargo.toml, src/lib.rs, Cargo.lock and metadata.json (for `--metadata-path`). Only
`cargo release-evidence` reads them: cargo itself cannot build the renamed packages.
"""

import copy
import hashlib
import json
import os
import sys
import tomllib

MEMBER = "synth-app"


def split_id(pid):
    """(source part, name or None, version) of a package id, old or new style."""
    source, _, frag = pid.partition("#")
    if "@" in frag:
        name, _, version = frag.partition("@")
        return source, name, version
    return source, None, frag


def main():
    meta_path, lock_path, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    meta = json.load(open(meta_path))
    lock = tomllib.load(open(lock_path, "rb"))
    checksums = {(p["name"], p["version"]): p.get("checksum") for p in lock.get("package", [])}
    members = set(meta["workspace_members"])
    if len(members) != 1:
        sys.exit("expected a one-member workspace")
    (member_id,) = members
    by_id = {p["id"]: p for p in meta["packages"]}
    nodes = {node["id"]: node for node in meta["resolve"]["nodes"]}
    others = [pid for pid in by_id if pid != member_id]

    # Dependency order (a package after all it depends on), deterministic.
    order, seen = [], set()

    def visit(pid):
        stack = [(pid, iter(sorted(d["pkg"] for d in nodes[pid]["deps"])))]
        seen.add(pid)
        while stack:
            cur, it = stack[-1]
            nxt = next((d for d in it if d not in seen and d != member_id), None)
            if nxt is None:
                stack.pop()
                order.append(cur)
            else:
                seen.add(nxt)
                stack.append((nxt, iter(sorted(d["pkg"] for d in nodes[nxt]["deps"]))))

    for pid in sorted(others):
        if pid not in seen:
            visit(pid)

    os.makedirs(os.path.join(out, "src"), exist_ok=True)
    root = os.path.abspath(out)
    new_member_id = f"path+file://{root}#{MEMBER}@0.1.0"
    need = n - 1
    packages, resolve_nodes, lock_packages = [], [], []
    member_deps, member_node_deps = [], []
    real_member = by_id[member_id]
    copies = 0
    while need > 0:
        c = copies
        copies += 1
        take = order[: min(need, len(order))]
        need -= len(take)
        taken = set(take)
        suffix = "" if c == 0 else f"-s{c}"

        def new_name(name):
            return name + suffix

        def new_id(pid):
            source, name, version = split_id(pid)
            name = name or by_id[pid]["name"]
            return f"{source}#{new_name(name)}@{version}"

        depended = set()
        for pid in take:
            p = copy.deepcopy(by_id[pid])
            old_name = p["name"]
            p["name"] = new_name(old_name)
            p["id"] = new_id(pid)
            for d in p["dependencies"]:
                if d.get("kind") == "dev":
                    continue
                if c > 0:
                    d["rename"] = d.get("rename") or d["name"]
                    d["name"] = new_name(d["name"])
            packages.append(p)
            node = copy.deepcopy(nodes[pid])
            node["id"] = p["id"]
            node["dependencies"] = [new_id(d) for d in node["dependencies"] if d in taken]
            node["deps"] = [dict(d, pkg=new_id(d["pkg"])) for d in node["deps"] if d["pkg"] in taken]
            depended.update(d["pkg"] for d in nodes[pid]["deps"])
            resolve_nodes.append(node)
            entry = {"name": p["name"], "version": p["version"]}
            if p.get("source"):
                entry["source"] = p["source"]
                if p["source"].startswith("registry+"):
                    real = checksums.get((old_name, p["version"]))
                    entry["checksum"] = real if c == 0 and real else hashlib.sha256(p["id"].encode()).hexdigest()
            entry["dependencies"] = sorted(
                f"{by_id[d['pkg']]['name']}{suffix} {by_id[d['pkg']]['version']}"
                for d in nodes[pid]["deps"]
                if d["pkg"] in taken
            )
            lock_packages.append(entry)
        # The member's edges into this copy: the real member's direct dependencies, or (a cut
        # copy) the packages nothing else in the copy depends on.
        if len(take) == len(order):
            targets = [d for d in nodes[member_id]["deps"]]
        else:
            tops = [pid for pid in take if pid not in depended]
            targets = [
                {"name": by_id[t]["name"].replace("-", "_"), "pkg": t,
                 "dep_kinds": [{"kind": None, "target": None}]}
                for t in tops
            ]
        for d in targets:
            pkg = by_id[d["pkg"]]
            alias = f"{d['name']}_s{c}" if c > 0 else d["name"]
            member_node_deps.append(dict(d, name=alias, pkg=new_id(d["pkg"])))
            member_deps.append({
                "name": new_name(pkg["name"]), "source": pkg.get("source"),
                "req": f"={pkg['version']}", "kind": None, "rename": alias if c > 0 else None,
                "optional": False, "uses_default_features": True, "features": [],
                "target": None, "registry": None,
            })

    member = copy.deepcopy(real_member)
    member.update({
        "name": MEMBER, "id": new_member_id, "manifest_path": f"{root}/Cargo.toml",
        "dependencies": member_deps, "features": {}, "description": f"synthetic: {n} packages",
        "license": "MIT", "publish": [],
    })
    member["targets"] = [{
        "kind": ["lib"], "crate_types": ["lib"], "name": MEMBER.replace("-", "_"),
        "src_path": f"{root}/src/lib.rs", "edition": "2021", "doc": True, "doctest": True,
        "test": True,
    }]
    packages.append(member)
    resolve_nodes.append({
        "id": new_member_id, "dependencies": sorted({d["pkg"] for d in member_node_deps}),
        "deps": member_node_deps, "features": [],
    })
    new_by_id = {p["id"]: p for p in packages}
    lock_packages.append({
        "name": MEMBER, "version": "0.1.0",
        "dependencies": sorted(
            f"{new_by_id[d['pkg']]['name']} {new_by_id[d['pkg']]['version']}"
            for d in member_node_deps
        ),
    })
    out_meta = dict(meta)
    out_meta.update({
        "packages": packages, "workspace_members": [new_member_id],
        "workspace_default_members": [new_member_id],
        "resolve": {"nodes": resolve_nodes, "root": new_member_id},
        "target_directory": f"{root}/target", "workspace_root": root,
        "build_directory": f"{root}/target",
    })
    with open(os.path.join(out, "metadata.json"), "w") as f:
        json.dump(out_meta, f)
    with open(os.path.join(out, "Cargo.toml"), "w") as f:
        f.write(f'[package]\nname = "{MEMBER}"\nversion = "0.1.0"\nedition = "2021"\n'
                f'license = "MIT"\npublish = false\n\n[workspace]\n')
    with open(os.path.join(out, "src", "lib.rs"), "w") as f:
        f.write("")
    with open(os.path.join(out, "Cargo.lock"), "w") as f:
        f.write("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n")
        for e in sorted(lock_packages, key=lambda e: (e["name"], e["version"])):
            f.write(f'\n[[package]]\nname = "{e["name"]}"\nversion = "{e["version"]}"\n')
            if "source" in e:
                f.write(f'source = "{e["source"]}"\n')
            if "checksum" in e:
                f.write(f'checksum = "{e["checksum"]}"\n')
            if e["dependencies"]:
                f.write("dependencies = [\n" + "".join(f' "{d}",\n' for d in e["dependencies"]) + "]\n")
    print(f"{out}: {len(packages)} packages in {copies} copies of the real graph", file=sys.stderr)


if __name__ == "__main__":
    main()

//! Hostile input costs bounded resources (issue 10): `inspect` on binaries written byte by byte,
//! zlib streams made with miniz_oxide, hostile dependency lists, a sparse 4 GiB file and a
//! snapshot with a multibyte commit; every case runs the real binary. The gate failing closed
//! and `verify-build` are in `trust_failclosed.rs`.

use release_evidence_tests::failclosed::*;
use release_evidence_tests::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

// ------------------------------------------------------------------------------ inspect

/// A minimal little-endian ELF64 executable holding `sections` (name, bytes, and optionally a
/// declared size different from the bytes, for hostile headers).
fn tiny_elf(sections: &[(&str, &[u8], Option<u64>)]) -> Vec<u8> {
    let mut names = vec![0u8];
    let mut offsets = Vec::new();
    let mut body = Vec::new();
    for (name, bytes, _) in sections {
        offsets.push((names.len() as u32, 64 + body.len() as u64));
        names.extend_from_slice(name.as_bytes());
        names.push(0);
        body.extend_from_slice(bytes);
    }
    let shstrtab_name = names.len() as u32;
    names.extend_from_slice(b".shstrtab\0");
    let shstrtab_offset = 64 + body.len() as u64;
    body.extend_from_slice(&names);
    while body.len() % 8 != 0 {
        body.push(0);
    }
    let shoff = 64 + body.len() as u64;
    let count = sections.len() as u16 + 2;
    let mut f = Vec::new();
    f.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]);
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f.extend_from_slice(&62u16.to_le_bytes()); // x86-64
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&0u64.to_le_bytes()); // entry
    f.extend_from_slice(&0u64.to_le_bytes()); // phoff
    f.extend_from_slice(&shoff.to_le_bytes());
    f.extend_from_slice(&0u32.to_le_bytes()); // flags
    for v in [64u16, 56, 0, 64, count, count - 1] {
        f.extend_from_slice(&v.to_le_bytes());
    }
    f.extend_from_slice(&body);
    let header = |f: &mut Vec<u8>, name: u32, kind: u32, offset: u64, size: u64| {
        f.extend_from_slice(&name.to_le_bytes());
        f.extend_from_slice(&kind.to_le_bytes());
        f.extend_from_slice(&0u64.to_le_bytes()); // flags
        f.extend_from_slice(&0u64.to_le_bytes()); // addr
        f.extend_from_slice(&offset.to_le_bytes());
        f.extend_from_slice(&size.to_le_bytes());
        f.extend_from_slice(&[0; 8]); // link, info
        f.extend_from_slice(&1u64.to_le_bytes()); // align
        f.extend_from_slice(&0u64.to_le_bytes()); // entsize
    };
    header(&mut f, 0, 0, 0, 0);
    for ((name, bytes, declared), (name_at, offset)) in sections.iter().zip(offsets) {
        let size = declared.unwrap_or(bytes.len() as u64);
        let _ = name;
        header(&mut f, name_at, 1, offset, size);
    }
    header(
        &mut f,
        shstrtab_name,
        3,
        shstrtab_offset,
        names.len() as u64,
    );
    f
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(bytes, 6)
}

const DEP_LIST: &str = r#"{"format":1,"packages":[{"name":"fw","version":"1.0.0","source":"local","dependencies":[1],"root":true},{"name":"smallvec","version":"0.6.13","source":"crates.io"}]}"#;

/// A directory outside any workspace, with an empty CARGO_HOME (so no default advisory DB).
struct Nowhere {
    dir: tempfile::TempDir,
}

impl Nowhere {
    fn new() -> Nowhere {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("cargo-home")).unwrap();
        Nowhere { dir }
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn inspect(&self, binary: &Path, extra: &[&str]) -> Output {
        self.inspect_limited(binary, extra, None)
    }

    /// `inspect`, optionally under an address-space limit (KiB) set with the shell's ulimit.
    fn inspect_limited(&self, binary: &Path, extra: &[&str], limit_kib: Option<u64>) -> Output {
        let mut args = vec!["inspect".to_owned(), binary.display().to_string()];
        if !extra.contains(&"--date") {
            args.extend(["--date".to_owned(), DATE.to_owned()]);
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let mut c = match limit_kib {
            Some(kib) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
                    .arg(bin())
                    .args(&args);
                c
            }
            None => {
                let mut c = Command::new(bin());
                c.args(&args);
                c
            }
        };
        c.current_dir(self.dir.path())
            .env("CARGO_HOME", self.dir.path().join("cargo-home"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }
}

#[test]
fn inspect_without_a_database_is_not_audited_exit_3() {
    let here = Nowhere::new();
    let elf = here.file(
        "fw",
        &tiny_elf(&[(".dep-v0", &zlib(DEP_LIST.as_bytes()), None)]),
    );
    let out = here.inspect(&elf, &[]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("not audited: no advisory database"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("smallvec 0.6.13"), "{}", stdout(&out));
    let out = here.inspect(&elf, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["audited"], false);
    // With the database it is audited: the vulnerable smallvec holds.
    let db = fixture_db();
    let out = here.inspect(&elf, &["--advisory-db", db.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("RUSTSEC-2021-0003"));
    // A database named explicitly that is not there is a usage error, not "not audited".
    let out = here.inspect(&elf, &["--advisory-db", "no-such-db"]);
    error_naming(&out, &["`--advisory-db`", "no-such-db"]);
    // An evaluation date before the database's is refused here too.
    let out = here.inspect(
        &elf,
        &[
            "--advisory-db",
            db.to_str().unwrap(),
            "--date",
            "2026-01-01",
        ],
    );
    error_naming(&out, &["`--date`", "2026-01-01", "2026-08-21"]);
}

#[test]
fn zlib_bomb_in_dep_v0_is_refused_in_a_short_message() {
    let here = Nowhere::new();
    // 80 MiB of zeros compress to ~80 KiB.
    let bomb = zlib(&vec![0u8; 80 << 20]);
    assert!(bomb.len() < 1 << 20);
    let elf = here.file("bomb", &tiny_elf(&[(".dep-v0", &bomb, None)]));
    let out = here.inspect(&elf, &[]);
    let err = error_naming(&out, &[".dep-v0 decompresses to more than 16 MiB"]);
    assert!(err.len() < 1000, "{} bytes of message", err.len());
}

#[test]
fn corrupt_zlib_in_dep_v0_is_reported_without_its_contents() {
    let here = Nowhere::new();
    // A valid stream of 8 MiB whose checksum is broken: the decompressed bytes must not be
    // printed.
    let mut z = zlib(&vec![b'x'; 8 << 20]);
    let n = z.len();
    for b in &mut z[n - 4..] {
        *b ^= 0xff;
    }
    let elf = here.file("corrupt", &tiny_elf(&[(".dep-v0", &z, None)]));
    let out = here.inspect(&elf, &[]);
    let err = error_naming(&out, &[".dep-v0 is not valid zlib data"]);
    assert!(err.len() < 1000, "{} bytes of message", err.len());
}

#[test]
fn hostile_dep_list_values_are_clipped_in_messages() {
    let here = Nowhere::new();
    let long = "A".repeat(1 << 20);
    let list = format!("{{\"format\":1,\"packages\":\"{long}\"}}");
    let elf = here.file(
        "long",
        &tiny_elf(&[(".dep-v0", &zlib(list.as_bytes()), None)]),
    );
    let out = here.inspect(&elf, &[]);
    let err = error_naming(&out, &["is not the cargo-auditable format"]);
    assert!(err.len() < 1000, "{} bytes of message", err.len());
}

#[test]
fn huge_sparse_binary_is_not_read_whole() {
    let here = Nowhere::new();
    let elf = here.file(
        "sparse",
        &tiny_elf(&[(".dep-v0", &zlib(DEP_LIST.as_bytes()), None)]),
    );
    std::fs::OpenOptions::new()
        .write(true)
        .open(&elf)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    // 1 GiB of address space: reading the 4 GiB file whole cannot fit.
    let limit = Some(1 << 20);
    let db = fixture_db();
    let out = here.inspect_limited(&elf, &["--advisory-db", db.to_str().unwrap()], limit);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("RUSTSEC-2021-0003"));

    // A section header claiming 4 GiB of .dep-v0: refused by its size, nothing read.
    let hostile = here.file(
        "hostile",
        &tiny_elf(&[(".dep-v0", b"x", Some((4 << 30) - 4096))]),
    );
    std::fs::OpenOptions::new()
        .write(true)
        .open(&hostile)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let out = here.inspect_limited(&hostile, &[], limit);
    let err = error_naming(
        &out,
        &["section .dep-v0 is 4294963200 bytes, more than the 16 MiB"],
    );
    assert!(err.len() < 1000);
}

// ----------------------------------------------------------- the database's SNAPSHOT.txt

#[test]
fn multibyte_snapshot_commit_is_a_located_error_not_a_panic() {
    let fx = Fixture::example();
    let db = db_copy(&fx);
    std::fs::write(
        db.join("SNAPSHOT.txt"),
        "commit aééééééééééé\ndate 2026-08-21T08:28:40+02:00\n",
    )
    .unwrap();
    for format in ["human", "json"] {
        let out = fx.run(&[
            "check",
            "--offline",
            "--date",
            DATE,
            "--format",
            format,
            "--advisory-db",
            db.to_str().unwrap(),
        ]);
        error_naming(
            &out,
            &[
                "SNAPSHOT.txt:1:8",
                "`commit` must be a git commit id",
                "ééé",
            ],
        );
    }
    // A bad date line is located as well.
    std::fs::write(db.join("SNAPSHOT.txt"), "commit bf5c0d2\ndate yesterday\n").unwrap();
    let out = check(&fx, &db, &[]);
    error_naming(&out, &["SNAPSHOT.txt:2:6", "`date` must be an RFC 3339"]);
    // A long hex commit is shown shortened (on a character boundary) in the human header.
    std::fs::write(
        db.join("SNAPSHOT.txt"),
        format!("commit {}\ndate 2026-08-21\n", "ab".repeat(32)),
    )
    .unwrap();
    let out = fx.run(&[
        "check",
        "--offline",
        "--date",
        DATE,
        "--advisory-db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("(commit abababababab, dated by SNAPSHOT.txt 2026-08-21"));
}

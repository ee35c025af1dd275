//! Approvals, signing readiness and independent verification, with keys made by OpenSSH's
//! `ssh-keygen` in a temp dir, and every signature checked by `ssh-keygen -Y verify` too.

use release_evidence_tests::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXCEPTION: &str = "\n[[advisories.exception]]\nid = \"RUSTSEC-2021-0003\"\ncrate = \"smallvec\"\nreason = \"insert_many is never called\"\napproved-by = \"security@example.com\"\nexpires = 2027-06-30\n";

const APPROVALS: &str = r#"
[approvals]
required-roles = ["qa", "regulatory", "security"]
allowed-signers = "allowed_signers"
risk-acceptance-roles = ["regulatory", "security"]
release-signers = ["release@example.com"]

[approvals.roles]
qa = ["qa@example.com"]
regulatory = ["ra@example.com"]
security = ["sec@example.com"]
"#;

struct Keys {
    dir: PathBuf,
}

impl Keys {
    fn new(fx: &Fixture) -> Keys {
        let dir = fx.outside("keys");
        for name in ["qa", "ra", "sec", "release", "outsider"] {
            let out = Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                .arg(dir.join(name))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr(&out));
        }
        Keys { dir }
    }

    fn key(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn public(&self, name: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join(format!("{name}.pub"))).unwrap();
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn allowed_signers(&self) -> String {
        let ns = "namespaces=\"release-evidence-approval-v1\"";
        format!(
            "qa@example.com {ns} {}\nra@example.com {ns} {}\nsec@example.com {ns} {}\nrelease@example.com namespaces=\"release-evidence-artifact-v1\" {}\n",
            self.public("qa"),
            self.public("ra"),
            self.public("sec"),
            self.public("release")
        )
    }
}

/// The example with approvals configured and the smallvec risk accepted (PASS), evidence built.
fn signed_ready(pass: bool) -> (Fixture, Keys, PathBuf) {
    let fx = Fixture::example();
    fx.without_verification();
    let keys = Keys::new(&fx);
    fx.write("allowed_signers", &keys.allowed_signers());
    fx.append("release-evidence.toml", APPROVALS);
    if pass {
        fx.append("release-evidence.toml", EXCEPTION);
    }
    let out = fx
        .cmd()
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .args(["--offline", "--date", DATE, "-q"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(if pass { 0 } else { 1 }),
        "{}",
        stderr(&out)
    );
    let dir = fx.path("target/release/release-evidence/thermo-fw-0.9.0");
    (fx, keys, dir)
}

fn approve(fx: &Fixture, keys: &Keys, role: &str, key: &str, extra: &[&str]) -> Output {
    let k = keys.key(key);
    let mut args = vec!["approve", "--date", DATE, "--role", role, "--key", &k];
    args.extend_from_slice(extra);
    fx.run(&args)
}

fn all_approve(fx: &Fixture, keys: &Keys) {
    for (role, key) in [("qa", "qa"), ("regulatory", "ra"), ("security", "sec")] {
        let out = approve(fx, keys, role, key, &[]);
        assert_eq!(out.status.code(), Some(0), "{role}: {}", stderr(&out));
    }
}

fn sign(fx: &Fixture, keys: &Keys) -> Output {
    let k = keys.key("release");
    fx.run(&["sign", "--date", DATE, "--key", &k])
}

fn verify(fx: &Fixture, dir: &Path) -> Output {
    fx.run(&["verify", dir.to_str().unwrap()])
}

fn ssh_keygen_verify(dir: &Path, signers: &Path, principal: &str, ns: &str, file: &str) -> bool {
    let out = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(signers)
        .args(["-I", principal, "-n", ns, "-s"])
        .arg(dir.join(format!("{file}.sig")))
        .stdin(std::fs::File::open(dir.join(file)).unwrap())
        .output()
        .unwrap();
    out.status.success()
}

fn approval_file(dir: &Path, role: &str) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("approval-{role}-")) && n.ends_with(".json"))
        .collect();
    names.sort();
    names.remove(0)
}

#[test]
fn three_roles_approve_then_sign_then_verify_and_openssh_agrees() {
    let (fx, keys, dir) = signed_ready(true);
    all_approve(&fx, &keys);
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed SHA256SUMS"));
    let ok = verify(&fx, &dir);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).ends_with("verify: PASS\n"));
    let json: serde_json::Value = serde_json::from_slice(
        &fx.run(&["verify", dir.to_str().unwrap(), "--format", "json"])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["approvals"].as_array().unwrap().len(), 3);

    // OpenSSH itself accepts every signature with the same allowed_signers file.
    let signers = fx.path("allowed_signers");
    for (role, principal) in [
        ("qa", "qa@example.com"),
        ("regulatory", "ra@example.com"),
        ("security", "sec@example.com"),
    ] {
        let file = approval_file(&dir, role);
        assert!(
            ssh_keygen_verify(
                &dir,
                &signers,
                principal,
                "release-evidence-approval-v1",
                &file
            ),
            "ssh-keygen rejects {file}"
        );
    }
    assert!(ssh_keygen_verify(
        &dir,
        &signers,
        "release@example.com",
        "release-evidence-artifact-v1",
        "SHA256SUMS"
    ));
    // … and only in the right namespace.
    assert!(!ssh_keygen_verify(
        &dir,
        &signers,
        "release@example.com",
        "release-evidence-approval-v1",
        "SHA256SUMS"
    ));

    // The approval binds the evidence digest: sha256 of SHA256SUMS.
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(approval_file(&dir, "qa"))).unwrap(),
    )
    .unwrap();
    let sums = std::fs::read(dir.join("SHA256SUMS")).unwrap();
    let expected = format!("sha256:{}", sha256_hex(&sums));
    assert_eq!(record["evidence_digest"], expected.as_str());
    assert_eq!(record["decision"], "approved");
    assert_eq!(record["principal"], "qa@example.com");
    let readiness: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("readiness.json")).unwrap())
            .unwrap();
    assert_eq!(readiness["ready"], true);
    assert_eq!(readiness["signed_by"], "release@example.com");

    // Sealed now: the main job writes nothing.
    let again = fx.run(&["--offline", "--date", DATE, "-q"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("sealed"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

#[test]
fn signing_the_same_content_twice_gives_the_same_bytes() {
    let (fx, keys, dir) = signed_ready(true);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = approval_file(&dir, "qa");
    let first = std::fs::read(dir.join(format!("{file}.sig"))).unwrap();
    let record = std::fs::read(dir.join(&file)).unwrap();
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(dir.join(format!("{file}.sig"))).unwrap(),
        first
    );
    assert_eq!(std::fs::read(dir.join(&file)).unwrap(), record);
}

#[test]
fn refusals() {
    // sign before approvals: a readiness record saying what is missing, nothing signed.
    let (fx, keys, dir) = signed_ready(true);
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("approval of role qa"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("SHA256SUMS.sig").exists());
    let readiness: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("readiness.json")).unwrap())
            .unwrap();
    assert_eq!(readiness["ready"], false);
    assert_eq!(readiness["missing"].as_array().unwrap().len(), 3);

    // A key not allowed for the role.
    let out = approve(&fx, &keys, "security", "qa", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not allowed for role security"),
        "{}",
        stderr(&out)
    );
    let out = approve(&fx, &keys, "qa", "outsider", &[]);
    assert_eq!(out.status.code(), Some(1));

    // HOLD without --accept-risk.
    let (fx, keys, dir) = signed_ready(false);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--accept-risk"), "{}", stderr(&out));
    // A role that may not accept risk.
    let out = approve(&fx, &keys, "qa", "qa", &["--accept-risk", "ship it"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("may not accept risk"));
    // The roles that may: a recorded risk acceptance listing the blocking findings.
    for (role, key) in [("regulatory", "ra"), ("security", "sec")] {
        let out = approve(
            &fx,
            &keys,
            role,
            key,
            &["--accept-risk", "field units are isolated; fix in 0.9.1"],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(approval_file(&dir, "security"))).unwrap(),
    )
    .unwrap();
    assert_eq!(record["decision"], "risk-accepted");
    assert_eq!(
        record["accepted_findings"][0]["advisory"],
        "RUSTSEC-2021-0003"
    );
    // QA still has to approve before the HOLD can be signed … and cannot without accepting risk.
    let out = sign(&fx, &keys);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("approval of role qa"));
}

/// A fully signed copy of the evidence for one tamper case.
/// One approved and signed release; each tamper case works on its own copy of the evidence
/// directory (`cp -a`: modes kept), so one main job serves every case of a test.
struct Signed {
    fx: Fixture,
    keys: Keys,
    dir: PathBuf,
}

fn signed_release() -> Signed {
    let (fx, keys, dir) = signed_ready(true);
    all_approve(&fx, &keys);
    assert_eq!(sign(&fx, &keys).status.code(), Some(0));
    assert_eq!(
        verify(&fx, &dir).status.code(),
        Some(0),
        "the signed release verifies"
    );
    Signed { fx, keys, dir }
}

impl Signed {
    /// Copies the evidence, checks the copy verifies, tampers with it, and returns what
    /// `verify` said (it must fail, exit 1).
    fn tamper_case(&self, name: &str, tamper: impl FnOnce(&Fixture, &Keys, &Path)) -> String {
        let parent = self.fx.root.join("tampered").join(name.replace(' ', "-"));
        std::fs::create_dir_all(&parent).unwrap();
        let copy = parent.join(self.dir.file_name().unwrap());
        let out = Command::new("cp")
            .arg("-a")
            .arg(&self.dir)
            .arg(&copy)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(
            verify(&self.fx, &copy).status.code(),
            Some(0),
            "{name}: clean copy verifies"
        );
        tamper(&self.fx, &self.keys, &copy);
        let out = verify(&self.fx, &copy);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        stdout(&out)
    }
}

fn flip_byte(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x01;
    std::fs::write(path, b).unwrap();
}

/// Signs `file` in the evidence dir with `key` in namespace `ns` using ssh-keygen directly.
fn keygen_sign(keys: &Keys, key: &str, ns: &str, file: &Path) {
    let _ = std::fs::remove_file(file.with_extension("json.sig"));
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-f", &keys.key(key), "-n", ns])
        .arg(file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn tampering_with_files_is_detected() {
    let signed = signed_release();
    let out = signed.tamper_case("artifact", |_, _, d| flip_byte(&d.join("thermo-fw")));
    assert!(out.contains("FAIL thermo-fw: MODIFIED"), "{out}");
    let out = signed.tamper_case("sbom", |_, _, d| flip_byte(&d.join("thermo-fw.cdx.json")));
    assert!(out.contains("FAIL thermo-fw.cdx.json: MODIFIED"), "{out}");
    let out = signed.tamper_case("manifest", |_, _, d| {
        flip_byte(&d.join("release-evidence.json"))
    });
    assert!(
        out.contains("FAIL release-evidence.json: MODIFIED"),
        "{out}"
    );
    let out = signed.tamper_case("removed", |_, _, d| {
        std::fs::remove_file(d.join("release-evidence.md")).unwrap()
    });
    assert!(out.contains("FAIL release-evidence.md: MISSING"), "{out}");
    let out = signed.tamper_case("added", |_, _, d| {
        std::fs::write(d.join("notes.txt"), "hi\n").unwrap()
    });
    assert!(out.contains("FAIL notes.txt: UNEXPECTED file"), "{out}");
}

#[test]
fn tampering_with_approvals_is_detected() {
    let signed = signed_release();
    // An approval made for another digest (evidence of another build).
    let out = signed.tamper_case("other digest", |fx, keys, d| {
        let file = approval_file(d, "qa");
        let mut record: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.join(&file)).unwrap()).unwrap();
        record["evidence_digest"] =
            serde_json::Value::String(format!("sha256:{}", "ab".repeat(32)));
        std::fs::write(
            d.join(&file),
            serde_json::to_string_pretty(&record).unwrap(),
        )
        .unwrap();
        keygen_sign(keys, "qa", "release-evidence-approval-v1", &d.join(&file));
        let _ = fx;
    });
    assert!(out.contains("covers evidence digest sha256:abab"), "{out}");

    // A signer not in allowed_signers.
    let out = signed.tamper_case("unknown signer", |_, keys, d| {
        let file = approval_file(d, "qa");
        keygen_sign(
            keys,
            "outsider",
            "release-evidence-approval-v1",
            &d.join(&file),
        );
    });
    assert!(
        out.contains("which allowed_signers does not list for principal qa@example.com"),
        "{out}"
    );

    // A signer whose principal lacks the role.
    let out = signed.tamper_case("lacks role", |_, keys, d| {
        let file = approval_file(d, "qa");
        let text = std::fs::read_to_string(d.join(&file)).unwrap();
        let forged = text.replace("\"role\": \"qa\"", "\"role\": \"security\"");
        std::fs::write(d.join("approval-security-forged.json"), forged).unwrap();
        keygen_sign(
            keys,
            "qa",
            "release-evidence-approval-v1",
            &d.join("approval-security-forged.json"),
        );
    });
    assert!(
        out.contains("principal qa@example.com is not in role security"),
        "{out}"
    );

    // An approval signature with the wrong namespace.
    let out = signed.tamper_case("namespace", |_, keys, d| {
        let file = approval_file(d, "regulatory");
        keygen_sign(keys, "ra", "file", &d.join(&file));
    });
    assert!(
        out.contains("signature has namespace `file`, not `release-evidence-approval-v1`"),
        "{out}"
    );

    // A truncated signature file.
    let out = signed.tamper_case("truncated", |_, _, d| {
        let sig = d.join(format!("{}.sig", approval_file(d, "security")));
        let text = std::fs::read_to_string(&sig).unwrap();
        std::fs::write(&sig, &text[..text.len() / 2]).unwrap();
    });
    assert!(out.contains("signature file is malformed"), "{out}");
}

#[test]
fn allowed_signers_errors_name_the_line() {
    let (fx, keys, _dir) = signed_ready(true);
    let mut text = keys.allowed_signers();
    text.push_str("broken@example.com ssh-ed25519 not-base64\n");
    fx.write("allowed_signers", &text);
    let out = approve(&fx, &keys, "qa", "qa", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("allowed_signers:5:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn encrypted_keys_and_agent_keys_sign_too() {
    let (fx, keys, dir) = signed_ready(true);
    // An encrypted key for QA, with its passphrase in a file.
    let enc = keys.dir.join("qa-enc");
    let out = Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "correct horse",
            "-C",
            "qa",
            "-f",
        ])
        .arg(&enc)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(enc.with_extension("pub")).unwrap();
    let public: String = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    fx.append(
        "allowed_signers",
        &format!("qa@example.com namespaces=\"release-evidence-approval-v1\" {public}\n"),
    );
    // allowed_signers changed after the evidence: approve reads the policy's file.
    let pass = keys.dir.join("pass.txt");
    std::fs::write(&pass, "correct horse\n").unwrap();
    let out = fx.run(&[
        "approve",
        "--date",
        DATE,
        "--role",
        "qa",
        "--key",
        enc.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(&pass, "wrong\n").unwrap();
    let out = fx.run(&[
        "approve",
        "--date",
        DATE,
        "--role",
        "qa",
        "--key",
        enc.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );

    // A key held by ssh-agent: --key names the public key, ssh-keygen -Y sign signs.
    let sock = keys.dir.join("agent.sock");
    let agent = Command::new("ssh-agent")
        .args(["-a"])
        .arg(&sock)
        .output()
        .unwrap();
    assert!(agent.status.success(), "{}", stderr(&agent));
    let pid = stdout(&agent)
        .split("SSH_AGENT_PID=")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap()
        .to_owned();
    let added = Command::new("ssh-add")
        .arg(keys.key("sec"))
        .env("SSH_AUTH_SOCK", &sock)
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    // The private key file is moved away: only the agent can sign now.
    std::fs::rename(keys.key("sec"), keys.dir.join("sec.moved")).unwrap();
    let out = fx
        .cmd()
        .env("SSH_AUTH_SOCK", &sock)
        .args(["approve", "--date", DATE, "--role", "security", "--key"])
        .arg(keys.dir.join("sec.pub"))
        .output()
        .unwrap();
    let _ = Command::new("kill").arg(&pid).output();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let file = approval_file(&dir, "security");
    assert!(ssh_keygen_verify(
        &dir,
        &fx.path("allowed_signers"),
        "sec@example.com",
        "release-evidence-approval-v1",
        &file
    ));
}

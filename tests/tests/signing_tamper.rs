//! Tampering with signed evidence is detected by `verify`, on copies of one approved and signed
//! release (keys made by OpenSSH's `ssh-keygen`): artifact, SBOM or manifest changed, files
//! removed or added; approvals over another digest, by a signer not listed, by one lacking the
//! role, in the wrong namespace, or truncated (signatures made by `ssh-keygen -Y sign` directly).

use release_evidence_tests::approvals::*;
use release_evidence_tests::*;
use std::path::{Path, PathBuf};
use std::process::Command;

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

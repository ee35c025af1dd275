//! The independent validators (PyPI `cyclonedx-python-lib`, `spdx-tools`, `spdx-python-model`,
//! `jsonschema`; npm
//! `@secvisogram/csaf-validator-lib` in `tests/validators/node_modules`) in the
//! virtualenv `tests/validators/setup.sh` creates at `tests/validators/.venv` (`.ci/run` runs
//! the script; run it once before the README's test command).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The virtualenv's `bin/` directory; a missing venv fails the test, naming the script.
pub fn venv_bin() -> PathBuf {
    let bin = crate::repo_root().join("tests/validators/.venv/bin");
    assert!(
        bin.join("python").is_file(),
        "the validators' virtualenv is missing ({}): run `bash tests/validators/setup.sh` \
         (.ci/run does) and run the tests again",
        bin.display()
    );
    bin
}

/// The errors a validator prints (`Ok(())` when it accepts the file).
fn run(mut cmd: Command) -> Result<(), String> {
    let out = cmd.output().expect("the validator runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(text)
    }
}

fn script() -> PathBuf {
    crate::repo_root().join("tests/validators/validate.py")
}

/// Strict validation against the CycloneDX `version` (`1.5`, `1.6`) JSON schema.
pub fn cyclonedx(version: &str, file: &Path) -> Result<(), String> {
    let mut c = Command::new(venv_bin().join("python"));
    c.arg(script()).args(["cyclonedx", version]).arg(file);
    run(c)
}

/// Validation against the vendored OpenVEX JSON schema.
pub fn openvex(file: &Path) -> Result<(), String> {
    let schema = crate::repo_root().join("tests/fixtures/schemas/openvex_json_schema.json");
    let mut c = Command::new(venv_bin().join("python"));
    c.arg(script()).arg("openvex").arg(schema).arg(file);
    run(c)
}

/// `pyspdxtools -i FILE` (SPDX 2.3 parse and validation).
pub fn spdx(file: &Path) -> Result<(), String> {
    let mut c = Command::new(venv_bin().join("pyspdxtools"));
    c.arg("-i").arg(file);
    run(c)
}

/// The BSI CSAF validator library (npm `@secvisogram/csaf-validator-lib`, installed by
/// setup.sh): the strict CSAF 2.0 schema and every mandatory test, through `csaf.mjs`.
pub fn csaf(file: &Path) -> Result<(), String> {
    let dir = crate::repo_root().join("tests/validators");
    assert!(
        dir.join("node_modules/@secvisogram/csaf-validator-lib")
            .is_dir(),
        "the CSAF validator library is missing: run `bash tests/validators/setup.sh` (.ci/run \
         does) and run the tests again"
    );
    let mut c = Command::new("node");
    c.current_dir(&dir).arg("csaf.mjs").arg(file);
    run(c)
}

/// Each line of an `.intoto.jsonl` bundle: the DSSE signature by `securesystemslib` with the
/// Ed25519 key of the OpenSSH public key file `pubkey`, the statement by `in-toto-attestation`.
pub fn dsse(bundle: &Path, pubkey: &Path) -> Result<(), String> {
    let mut c = Command::new(venv_bin().join("python"));
    c.arg(script()).arg("dsse").arg(bundle).arg(pubkey);
    run(c)
}

/// SPDX 3.0.1 JSON-LD through `spdx-python-model` (the bindings generated from the official
/// SPDX 3.0.1 SHACL model): `validate.py spdx3`.
pub fn spdx3(file: &Path) -> Result<(), String> {
    let mut c = Command::new(venv_bin().join("python"));
    c.arg(script()).arg("spdx3").arg(file);
    run(c)
}

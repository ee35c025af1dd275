//! Command-line basics of the binary itself (the scenario tests live in the `tests` crate;
//! this target also makes `cargo test` build the binary they run).

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cargo-release-evidence"))
}

#[test]
fn help_lists_the_commands_and_exit_codes() {
    let out = bin().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for word in [
        "check",
        "init",
        "publish",
        "db",
        "codes",
        "Exit codes: 0 PASS, 1 HOLD, 2",
    ] {
        assert!(text.contains(word), "help lacks {word}:\n{text}");
    }
}

#[test]
fn cargo_subcommand_form_is_accepted() {
    // `cargo release-evidence codes` runs `cargo-release-evidence release-evidence codes`.
    let out = bin().args(["release-evidence", "codes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("RE-APPROVAL-MISSING")
    );
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_2() {
    let out = bin().args(["check", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
}

#[test]
fn bad_date_names_the_flag() {
    let out = bin()
        .args([
            "check",
            "--date",
            "2026-13-01",
            "--manifest-path",
            "Cargo.toml",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`--date`"), "{err}");
}

//! The toolchain that builds the release: `rustc -vV` and `cargo -V`.

use crate::util::process;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Toolchain {
    /// Full `rustc -vV` output, trimmed.
    pub rustc: String,
    /// `cargo -V` output, trimmed.
    pub cargo: String,
    /// The `host:` line of `rustc -vV`.
    pub host: String,
}

pub fn read() -> crate::error::Result<Toolchain> {
    let rustc_bin = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let (rustc, cargo) = std::thread::scope(|s| {
        let cargo = s.spawn(|| process::run_capture(&process::cargo(), &["-V".to_owned()], None));
        let rustc = process::run_capture(&rustc_bin, &["-vV".to_owned()], None);
        (rustc, cargo.join().expect("cargo -V thread"))
    });
    let rustc = rustc?.trim().to_owned();
    let host = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap_or_default()
        .to_owned();
    Ok(Toolchain {
        rustc,
        cargo: cargo?.trim().to_owned(),
        host,
    })
}

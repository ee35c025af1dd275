//! Cargo.lock: any text through the lockfile reader.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cargo_release_evidence::workspace::lockfile::parse(Path::new("Cargo.lock"), text);
});

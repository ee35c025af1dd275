//! OpenSSH allowed_signers files: parse any text, then match principals and namespaces.
#![no_main]

use cargo_release_evidence::sign::allowed_signers::AllowedSigners;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(signers) = AllowedSigners::parse(Path::new("allowed_signers"), text) {
        for e in &signers.entries {
            let _ = signers.principals_for(&e.key, "release-evidence-approval-v1");
        }
    }
});

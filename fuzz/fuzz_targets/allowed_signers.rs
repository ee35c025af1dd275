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
            let ns = "release-evidence-approval-v1";
            let principals = signers.literal_principals(&e.key, ns, 1_780_000_000);
            let _ = signers.why_not("alice@example.com", &e.key, ns, 1_780_000_000);
            let _ = signers.find_principal(&principals, &e.key, ns, 0);
        }
    }
});

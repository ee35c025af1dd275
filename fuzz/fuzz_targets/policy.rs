//! The policy loader: any text, as a policy file and as a Cargo.toml holding one. Must never
//! panic; errors must be located diagnostics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text: Arc<str> = Arc::from(text);
    for in_cargo_toml in [false, true] {
        if let Err(cargo_release_evidence::error::Error::Config(d)) =
            cargo_release_evidence::policy::load::parse(Path::new("p.toml"), &text, in_cargo_toml)
        {
            // Rendering must not panic either (snippets slice the source by the spans).
            let e = cargo_release_evidence::error::Error::Config(d);
            let _ = cargo_release_evidence::render::diagnostics::render_error(&e, false);
        }
    }
});

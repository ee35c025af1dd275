//! RustSec advisory files: any text through the parser the advisory DB uses for every file
//! (`rustsec::Advisory`'s `FromStr`, which `Advisory::load_file` calls).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = text.parse::<rustsec::Advisory>();
});

//! SHA256SUMS: parse any text; what parses must render back to text that parses the same.
#![no_main]

use cargo_release_evidence::evidence::checksums;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(entries) = checksums::parse(text) {
        let again = checksums::render(&entries);
        let mut a = checksums::parse(&again).expect("rendered SHA256SUMS parses");
        let mut b = entries;
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }
});

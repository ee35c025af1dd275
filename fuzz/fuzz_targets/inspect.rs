//! `inspect`: any bytes as a binary file (ELF, PE, Mach-O headers, section tables, a `.dep-v0`
//! section's zlib data and JSON) through the reader that `inspect` uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    // The reader takes a path (it reads headers lazily from disk): one file per process, in
    // memory when /dev/shm exists.
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        std::path::PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("inspect-fuzz-{}", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("temp file");
    file.write_all(data).expect("write temp file");
    drop(file);
    let _ = cargo_release_evidence::inspect::read(&path);
});

// Build-time-only dependency: autocfg probes the compiler running the build.
// Nothing from autocfg is linked into the firmware binary.
fn main() {
    let ac = autocfg::new();
    // Emits `cargo:rustc-cfg=rustc_1_60` when the compiler is at least 1.60.
    ac.emit_rustc_version(1, 60);
    autocfg::rerun_path("build.rs");
}

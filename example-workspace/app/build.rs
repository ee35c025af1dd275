// Embeds the release evidence (dependency list + evidence record) into the firmware binary.
// With RELEASE_EVIDENCE_ENFORCE=1 (or [build] enforce-profiles in release-evidence.toml) the
// build also stops when the release gate holds.
fn main() {
    release_evidence_build::embed();
}

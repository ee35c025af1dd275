//! thermo-fw: samples the ACME thermistor, keeps a window of readings and
//! frames them for the radio coprocessor.

use acme_hal::Thermistor;
use sensor_core::{frame_is_valid, SampleRing};

// The dependency list (.dep-v0, cargo-auditable format) and the evidence record, embedded by
// build.rs; `thermo-fw --version` prints the record.
release_evidence_build::include_evidence!();

/// Device tag sent in every report; must be a valid Unicode identifier
/// because the gateway uses it as a metric name.
const DEVICE_TAG: &str = "thermo_küche_1";

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) if unicode_ident::is_xid_start(first) || first == '_' => {
            chars.all(unicode_ident::is_xid_continue)
        }
        _ => false,
    }
}

/// Milliseconds since boot, from the OS on Windows (simulator builds).
#[cfg(windows)]
fn uptime_ms() -> u64 {
    windows_link::link!("kernel32.dll" "system" fn GetTickCount64() -> u64);
    // SAFETY: GetTickCount64 takes no arguments and has no preconditions.
    unsafe { GetTickCount64() }
}

/// Milliseconds since boot; the bare-metal/Linux builds have no tick source here.
#[cfg(not(windows))]
fn uptime_ms() -> u64 {
    0
}

fn main() {
    if std::env::args().any(|a| a == "--version") {
        println!("{}", release_evidence());
        return;
    }
    assert!(is_identifier(DEVICE_TAG), "invalid device tag {DEVICE_TAG:?}");

    let mut sensor = Thermistor::open(0).expect("ADC channel 0 is present on the TS-200");
    let mut ring = SampleRing::new();
    for _ in 0..24 {
        ring.push(sensor.read_centi_celsius());
    }

    let frame = ring.encode_frame();
    assert!(frame_is_valid(&frame));
    let mean = ring.mean().unwrap_or_default();
    println!(
        "{DEVICE_TAG}: ch{} mean {}.{:02} °C over {} samples, frame {} bytes (hal {}, radio fw {}.{}, uptime {} ms)",
        sensor.channel(),
        mean / 100,
        (mean % 100).abs(),
        ring.len(),
        frame.len(),
        acme_hal::HAL_VERSION,
        acme_hal::RADIO_FW_VERSION.0,
        acme_hal::RADIO_FW_VERSION.1,
        uptime_ms(),
    );

    #[cfg(feature = "debug-dump")]
    println!("frame: {}", sensor_core::hex_dump(&frame));
}

#[cfg(test)]
mod tests {
    use super::*;

    // verifies: REQ-004
    #[test]
    fn device_tag_is_a_valid_identifier() {
        assert!(is_identifier(DEVICE_TAG));
        assert!(!is_identifier("1st-sensor"));
        assert!(!is_identifier(""));
    }
}

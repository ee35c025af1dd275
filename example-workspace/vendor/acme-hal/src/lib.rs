//! ACME TS-200 hardware abstraction layer (vendored supplier crate).
//!
//! On the real board this talks to the ADC over memory-mapped registers; this
//! delivery ships a simulated backend so the application can be built and
//! tested on a host.

/// HAL version reported to the application.
pub const HAL_VERSION: &str = "1.4.2";

/// Version of the radio coprocessor firmware this HAL expects
/// (delivered separately as `firmware/radio-fw.bin`).
pub const RADIO_FW_VERSION: (u8, u8) = (2, 1);

/// A thermistor channel on the TS-200 board.
#[derive(Debug)]
pub struct Thermistor {
    channel: u8,
    state: u32,
}

impl Thermistor {
    /// Opens ADC channel `channel` (0..=3).
    pub fn open(channel: u8) -> Option<Self> {
        (channel <= 3).then(|| Thermistor { channel, state: 0x2545_f491 ^ u32::from(channel) })
    }

    pub fn channel(&self) -> u8 {
        self.channel
    }

    /// Reads the temperature in centi-degrees Celsius.
    ///
    /// The simulated backend returns 21.00 °C plus a small deterministic
    /// noise term (xorshift), like a real sensor in a quiet room.
    pub fn read_centi_celsius(&mut self) -> i16 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        2100 + (x % 61) as i16 - 30
    }
}

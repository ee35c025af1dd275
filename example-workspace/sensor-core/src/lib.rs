//! Sample buffering and frame encoding for the thermo firmware.
//!
//! Samples are kept in a fixed-capacity ring buffer backed by a `SmallVec`
//! (inline storage, no heap allocation for the usual window size) and are
//! serialised into frames protected by a CRC-16.

use crc::{Crc, CRC_16_IBM_SDLC};
use smallvec::SmallVec;

/// CRC used on the sensor bus (X.25 / IBM-SDLC).
pub const FRAME_CRC: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_SDLC);

/// Inline capacity of the sample window.
pub const WINDOW: usize = 16;

/// Inline capacity of an encoded frame (smallvec 0.6 only supports a fixed
/// set of array sizes; 128 is the next one above `4 * WINDOW + 3`).
pub const FRAME_CAPACITY: usize = 128;

/// One temperature sample, in centi-degrees Celsius.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub seq: u16,
    pub centi_celsius: i16,
}

/// A ring buffer of the most recent `WINDOW` samples.
#[derive(Debug, Default)]
pub struct SampleRing {
    samples: SmallVec<[Sample; WINDOW]>,
    next_seq: u16,
}

impl SampleRing {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a reading, evicting the oldest one when the window is full.
    pub fn push(&mut self, centi_celsius: i16) -> Sample {
        let sample = Sample { seq: self.next_seq, centi_celsius };
        self.next_seq = self.next_seq.wrapping_add(1);
        if self.samples.len() == WINDOW {
            self.samples.remove(0);
        }
        self.samples.push(sample);
        sample
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Mean of the window in centi-degrees, or `None` when empty.
    pub fn mean(&self) -> Option<i16> {
        if self.samples.is_empty() {
            return None;
        }
        let sum: i32 = self.samples.iter().map(|s| i32::from(s.centi_celsius)).sum();
        Some((sum / self.samples.len() as i32) as i16)
    }

    /// Encodes the window as a frame: `[count, (seq_le, value_le)*, crc_le]`.
    /// At most `4 * WINDOW + 3` = 67 bytes, so it always fits inline.
    pub fn encode_frame(&self) -> SmallVec<[u8; FRAME_CAPACITY]> {
        let mut frame = SmallVec::new();
        frame.push(self.samples.len() as u8);
        for s in &self.samples {
            frame.extend_from_slice(&s.seq.to_le_bytes());
            frame.extend_from_slice(&s.centi_celsius.to_le_bytes());
        }
        let crc = FRAME_CRC.checksum(&frame);
        frame.extend_from_slice(&crc.to_le_bytes());
        frame
    }
}

/// Checks the trailing CRC of a frame produced by [`SampleRing::encode_frame`].
pub fn frame_is_valid(frame: &[u8]) -> bool {
    if frame.len() < 3 {
        return false;
    }
    let (body, tail) = frame.split_at(frame.len() - 2);
    FRAME_CRC.checksum(body).to_le_bytes() == [tail[0], tail[1]]
}

/// Hex dump of a frame for the debug console (feature `hex-dump`).
#[cfg(feature = "hex-dump")]
pub fn hex_dump(frame: &[u8]) -> String {
    hex::encode(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    // verifies: REQ-001, REQ-002
    #[test]
    fn ring_evicts_oldest_and_frames_validate() {
        let mut ring = SampleRing::new();
        for i in 0..20 {
            ring.push(2000 + i);
        }
        assert_eq!(ring.len(), WINDOW);
        assert_eq!(ring.mean(), Some(2011));
        let mut frame = ring.encode_frame();
        assert!(frame_is_valid(&frame));
        frame[1] ^= 1;
        assert!(!frame_is_valid(&frame));
    }

    // verifies: REQ-001
    #[test]
    fn frame_crc_detects_every_single_bit_error() {
        let mut ring = SampleRing::new();
        for i in 0..WINDOW as i16 {
            ring.push(-500 + 37 * i);
        }
        let frame = ring.encode_frame();
        for bit in 0..frame.len() * 8 {
            let mut corrupted = frame.clone();
            corrupted[bit / 8] ^= 1 << (bit % 8);
            assert!(!frame_is_valid(&corrupted), "bit {bit} flipped undetected");
        }
    }

    // verifies: REQ-002
    #[test]
    fn sequence_numbers_count_every_reading() {
        let mut ring = SampleRing::new();
        let first = ring.push(100);
        let second = ring.push(200);
        assert_eq!((first.seq, second.seq), (0, 1));
        assert!(!ring.is_empty());
    }

    // verifies: REQ-003
    #[test]
    fn mean_of_an_empty_window_is_absent() {
        let ring = SampleRing::new();
        assert_eq!(ring.mean(), None);
        assert!(ring.is_empty());
        assert_eq!(ring.encode_frame().len(), 3);
    }

    #[test]
    fn frame_prints_as_text_on_a_terminal() {
        // Only a smoke test of the console path: the frame must be printable either way.
        let ring = SampleRing::new();
        let frame = ring.encode_frame();
        if atty::is(atty::Stream::Stdout) {
            println!("{frame:?}");
        }
        assert!(!frame.is_empty());
    }
}

/// Minimum compiler this crate was built with, as detected by `build.rs`.
pub const fn built_with_modern_rustc() -> bool {
    cfg!(rustc_1_60)
}

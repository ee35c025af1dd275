//! SSHSIG armored signatures and approval records: any bytes as a signature over any message
//! (the first two bytes give the signature's length), and any bytes as an approval record.
#![no_main]

use cargo_release_evidence::sign::approval::Approval;
use cargo_release_evidence::sign::sshsig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Approval>(data);
    if data.len() < 2 {
        return;
    }
    let n = usize::from(u16::from_be_bytes([data[0], data[1]])).min(data.len() - 2);
    let (sig, msg) = data[2..].split_at(n);
    let _ = sshsig::verify(sig, sshsig::APPROVAL_NAMESPACE, msg);
});

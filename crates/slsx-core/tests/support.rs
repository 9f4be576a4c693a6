//! Helpers shared by the integration tests.

use std::path::Path;

/// Names and Unix modes of a zip's entries, in central-directory order.
pub fn zip_entries(path: &Path) -> Vec<(String, u32)> {
    let bytes = std::fs::read(path).unwrap();
    let eocd = bytes.len() - 22;
    assert_eq!(
        &bytes[eocd..eocd + 4],
        &[0x50, 0x4b, 0x05, 0x06],
        "{}",
        path.display()
    );
    let count = u16::from_le_bytes([bytes[eocd + 10], bytes[eocd + 11]]) as usize;
    let mut at = u32::from_le_bytes(bytes[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let h = &bytes[at..];
        let name_len = u16::from_le_bytes([h[28], h[29]]) as usize;
        let extra_len = u16::from_le_bytes([h[30], h[31]]) as usize;
        let comment_len = u16::from_le_bytes([h[32], h[33]]) as usize;
        let mode = u32::from_le_bytes(h[38..42].try_into().unwrap()) >> 16;
        out.push((
            String::from_utf8(h[46..46 + name_len].to_vec()).unwrap(),
            mode & 0o777,
        ));
        at += 46 + name_len + extra_len + comment_len;
    }
    out
}

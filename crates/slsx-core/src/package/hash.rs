//! SHA-256 helpers, named for their encoding. `sha2` uses the CPU's SHA instructions when present.

use base64::Engine as _;
use sha2::{Digest, Sha256};

pub fn base64(digest: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(digest)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

pub fn sha256_base64(bytes: &[u8]) -> String {
    base64(&sha256(bytes))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

/// SHA-256 and size of a file, read in chunks.
pub fn sha256_file(path: &std::path::Path) -> crate::Result<([u8; 32], u64)> {
    use std::io::Read;
    let err = |e| crate::Error::io(format!("cannot read \"{}\"", path.display()), e);
    let mut file = std::fs::File::open(path).map_err(err)?;
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(err)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        sha.update(&buf[..n]);
    }
    Ok((sha.finalize().into(), size))
}

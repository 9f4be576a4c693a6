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

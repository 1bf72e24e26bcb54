//! The 128-bit keys (xxh3) that stand for what something is made from:
//! the pieces both the site's page keys ([`crate::site::fingerprint`]) and
//! the history's cache ([`crate::history`]) are built of. A key is
//! compared, never trusted for security.

use std::hash::Hasher;

use xxhash_rust::xxh3::Xxh3;

/// Adds `text` to `h` so that field boundaries cannot shift.
pub fn field(h: &mut Xxh3, text: &str) {
    h.write_u64(text.len() as u64);
    h.update(text.as_bytes());
}

/// `key` made to cover `extra` too (the history of what a page shows);
/// `key` itself when `extra` is 0 (no history), so a site without history
/// keeps the keys it had.
pub fn mix(key: u128, extra: u128) -> u128 {
    if extra == 0 {
        return key;
    }
    let mut h = Xxh3::new();
    h.write_u128(key);
    h.write_u128(extra);
    h.digest128()
}

/// A key as written in the manifest.
pub fn to_hex(key: u128) -> String {
    format!("{key:032x}")
}

/// A key read back from the manifest.
pub fn from_hex(text: &str) -> Option<u128> {
    (text.len() == 32)
        .then(|| u128::from_str_radix(text, 16).ok())
        .flatten()
}

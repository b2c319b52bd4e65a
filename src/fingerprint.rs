//! Fingerprints of what `watch` keeps between saves (a chapter's text, a
//! chapter as the last passes read it), to know what did not change.
//!
//! Every save fingerprints the whole book, so the hash must be fast on
//! long texts: foldhash reads several bytes per step where the standard
//! library's SipHash, made to resist chosen collisions (which these
//! in-memory keys need not), took 3 to 4 ms over a 1,840-page book. The
//! seed is fixed: a fingerprint is the same for the same value throughout
//! the process.

use std::hash::{BuildHasher, Hash};

/// The 64-bit fingerprint of `value`.
pub fn fingerprint(value: &impl Hash) -> u64 {
    foldhash::quality::FixedState::with_seed(0x6f75_7672_6167_6521).hash_one(value)
}

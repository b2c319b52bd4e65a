//! Fingerprints of what `watch` and the memos of this process keep between
//! saves (a chapter's text, what the chapters offer one another, the
//! generated Typst, the bibliography, the site's pages, the preview's
//! pages), to know what did not change. In memory only: keys written to
//! disk use `siphasher` (the citation store), whose output is promised.
//!
//! Every save fingerprints the whole book, so the hash must be fast on
//! long texts: foldhash reads several bytes per step where the standard
//! library's SipHash, made to resist chosen collisions (which these
//! in-memory keys need not), took 3 to 4 ms over a 1,840-page book. The
//! seed is fixed: a fingerprint is the same for the same value throughout
//! the process.

use std::hash::{BuildHasher, Hash};

const SEED: u64 = 0x6f75_7672_6167_6521;

/// The 64-bit fingerprint of `value`.
pub fn fingerprint(value: &impl Hash) -> u64 {
    foldhash::quality::FixedState::with_seed(SEED).hash_one(value)
}

/// A hasher that gives [`fingerprint`]s, for a value fed piece by piece.
pub fn hasher() -> impl std::hash::Hasher {
    foldhash::quality::FixedState::with_seed(SEED).build_hasher()
}

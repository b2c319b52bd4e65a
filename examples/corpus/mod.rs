//! The benchmark corpus generator, shared by `examples/gen-corpus.rs`,
//! `examples/gen-history.rs`, `benches/stages.rs` and `tests/corpus.rs`,
//! each of which includes this folder with `#[path = ".../corpus/mod.rs"]`
//! (so that the library gains no public API for it).
//!
//! - [`rng`]: a seeded pseudo-random generator (splitmix64): the same seed
//!   always gives the same book, byte for byte.
//! - [`book`]: a complete book in French and Italian pseudo-text (chapters,
//!   parts, contributors, bibliography, images) held in memory.
//! - [`history`]: a git history of review work over any such book, written
//!   with git2.
//! - [`mdbook`]: the same chapters as an mdBook.

#![allow(dead_code)]

pub mod book;
pub mod history;
pub mod images;
pub mod mdbook;
pub mod rng;
pub mod text;

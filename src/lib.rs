//! `ouvrage`: collective books in Markdown and git.
//!
//! The library holds every stage; the binary (`main.rs`) only parses the
//! command line, calls [`cli::run`] and turns the outcome into an exit code.
//!
//! ```text
//! cli ─► load (config) ─► parse ─► model ─► passes ─► view ─► render::{html, typst, epub}
//! git ─► review ─► status ─────────────────────┘ (a draft's review state, in the model)
//! ```

pub mod atomic;
pub mod bibliography;
pub mod cli;
pub mod commenting;
pub mod config;
pub mod date;
pub mod diag;
pub mod fingerprint;
pub mod git;
pub mod import;
pub mod lang;
pub mod load;
pub mod math;
pub mod model;
pub mod parse;
pub mod passes;
pub mod pipeline;
pub mod render;
pub mod review;
pub mod signing;
pub mod source;
pub mod status;
pub mod templates;
#[cfg(test)]
mod testbook;
pub mod textdiff;
pub mod url;
pub mod view;
pub mod watch;

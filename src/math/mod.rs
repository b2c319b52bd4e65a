//! Math conversion: the stage under the math pass (`passes::math`), its only
//! caller.
//!
//! Input: a formula's LaTeX, as written between `$…$` or `$$…$$`. Output:
//! a Typst equation for the PDF ([`typst`]: mitex, then Typst's own parser
//! checks that it runs no code) and a `<math>` element for the site and the
//! EPUB ([`mathml`]: math-core, then roxmltree checks its markup against an
//! allow-list). The pass stores both in the model's `Math`; renderers only
//! read them there, and keep what is theirs: the Typst prelude `math.typ`
//! the emitter imports (`render::typst::math`) and the MathML allow-list
//! the HTML sanitizer is given (`render::html::math`).
//!
//! Both converters are third-party code fed text from chapters, so both run
//! behind the same two guards here: a size limit checked before either
//! runs ([`check_size`]), and a panic turned into a refusal
//! ([`without_panic_message`]).

pub mod mathml;
pub mod typst;

pub use self::mathml::{MathMl, MathMlError};
pub use self::typst::latex_to_typst;

use std::cell::Cell;
use std::sync::Once;

/// The longest formula converted, in bytes, and the deepest nesting of
/// groups: beyond, the converters' recursion is not worth the risk.
const MAX_LEN: usize = 20_000;
const MAX_DEPTH: usize = 64;

/// Refuses formulas too long or too deeply nested to convert safely.
pub fn check_size(tex: &str) -> Result<(), String> {
    if tex.len() > MAX_LEN {
        return Err(format!("it is longer than {MAX_LEN} bytes"));
    }
    // Groups, `\left … \right` and `\begin … \end` all nest.
    let mut depth = 0usize;
    let mut deepest = 0;
    let mut chars = tex.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '\\' => {
                let name: String = tex[at + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                match name.as_str() {
                    "left" | "begin" => depth += 1,
                    "right" | "end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                // Skip the command's name, or the escaped character.
                for _ in 0..name.chars().count().max(1) {
                    chars.next();
                }
            }
            _ => {}
        }
        deepest = deepest.max(depth);
    }
    if deepest > MAX_DEPTH {
        return Err(format!("it nests groups more than {MAX_DEPTH} deep"));
    }
    Ok(())
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs a converter, turning a panic into `None` without the panic message
/// on standard error: a converter that panics on some input is a bug of the
/// converter, reported to the author as a formula that cannot be converted.
pub fn without_panic_message<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}x{}", "{".repeat(200), "}".repeat(200));
        assert!(latex_to_typst(&deep, false).is_err());
        let lefts = format!("{}x{}", "\\left(".repeat(70), "\\right)".repeat(70));
        assert!(check_size(&lefts).is_err());
        // Many groups one after the other are fine, and so is the deepest
        // nesting allowed, in a test thread's small stack.
        assert!(check_size(&"{x}\\left( y \\right)".repeat(500)).is_ok());
        let nested = format!("{}x{}", "\\sqrt{".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
        assert!(latex_to_typst(&nested, true).is_ok());
        assert!(MathMl::default().convert(&nested, true).is_ok());
    }

    #[test]
    fn a_panicking_converter_is_a_failure() {
        assert_eq!(without_panic_message(|| -> u8 { panic!("boom") }), None);
        assert_eq!(without_panic_message(|| 3), Some(3));
    }
}

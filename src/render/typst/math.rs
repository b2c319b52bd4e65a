//! The math prelude of the generated Typst. Formulas reach the emitter
//! already converted and checked (the math pass stores a Typst equation in
//! each `Math`, see `crate::math::typst`); the equations call functions
//! that Typst's math does not have, defined in `math.typ`, which every
//! generated chapter with a formula imports from [`MATH_PATH`].

/// The virtual path of the math prelude.
pub const MATH_PATH: &str = "/__ouvrage/math.typ";

/// The math prelude: the functions converted formulas call.
pub const MATH_PRELUDE: &str = include_str!("math.typ");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::typst::{PRELUDE_MATH, PRELUDE_TEXT};
    use typst::LibraryExt;
    use typst::syntax::{SyntaxKind, SyntaxNode};

    #[test]
    fn prelude_defines_exactly_the_allowed_names() {
        let root = typst::syntax::parse(MATH_PRELUDE);
        let mut defined = Vec::new();
        collect_lets(&root, &mut defined);
        for name in PRELUDE_MATH.iter().chain(PRELUDE_TEXT) {
            assert!(
                defined.contains(&name.to_string()),
                "{name} is not in math.typ"
            );
        }
        for name in &defined {
            let listed = PRELUDE_MATH.contains(&name.as_str())
                || PRELUDE_TEXT.contains(&name.as_str())
                || name.starts_with("ouvrage-");
            assert!(listed, "{name} of math.typ is not listed");
            // A glob import must not hide a name the generated markup uses.
            assert!(
                typst::Library::default().global.scope().get(name).is_none(),
                "{name} shadows a global Typst name"
            );
        }
    }

    fn collect_lets(node: &SyntaxNode, out: &mut Vec<String>) {
        if node.kind() == SyntaxKind::LetBinding
            && let Some(name) = node
                .children()
                .find(|c| matches!(c.kind(), SyntaxKind::Ident | SyntaxKind::Closure))
        {
            let ident = if name.kind() == SyntaxKind::Closure {
                name.children().find(|c| c.kind() == SyntaxKind::Ident)
            } else {
                Some(name)
            };
            if let Some(ident) = ident {
                out.push(ident.leaf_text().to_string());
            }
            return;
        }
        for child in node.children() {
            collect_lets(child, out);
        }
    }
}

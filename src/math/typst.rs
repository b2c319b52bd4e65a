//! LaTeX math → a Typst equation, checked to run no code.
//!
//! Input: a formula's LaTeX; output: the text of a Typst equation (`$…$`
//! inline, `$ … $` display) that the PDF emitter copies as it is. The
//! conversion is mitex's (`convert_math`). Its output names functions
//! that the mitex Typst package defines; ours are in the renderer's
//! prelude `math.typ` (`render::typst::math`, imported by every generated
//! chapter that has a formula), and [`PRELUDE_MATH`] and [`PRELUDE_TEXT`]
//! list them. The output is then parsed by Typst's own parser, in exactly
//! the form it will be emitted, and accepted only if the whole text is one
//! equation made of math syntax, names from Typst's math scope or from the
//! prelude, and valid symbol modifiers. The only code allowed is
//! `#textmath[…]` and its siblings, whose content must be plain text. So no
//! formula can read a file, run a function outside the list, open a comment
//! that swallows the closing `$`, or leave the equation (README "File formats in short": text from
//! a chapter is always text).

use std::sync::LazyLock;

use typst::LibraryExt;
use typst::foundations::Value;
use typst::syntax::{SyntaxKind, SyntaxNode};

use super::{check_size, without_panic_message};

/// Names of the prelude `math.typ` that a formula may use in math mode
/// (the prelude defines exactly these and [`PRELUDE_TEXT`]: a test of
/// `render::typst::math` checks it).
pub const PRELUDE_MATH: &[&str] = &[
    "mitexsqrt",
    "mitexdisplay",
    "mitexinline",
    "mitexscript",
    "mitexsscript",
    "mitexbold",
    "mitexupright",
    "mitexitalic",
    "mitexsans",
    "mitexmono",
    "mitexcal",
    "mitexfrak",
    "mitexmathbf",
    "mitexoverbrace",
    "mitexunderbrace",
    "mitexoverbracket",
    "mitexunderbracket",
    "operatorname",
    "operatornamewithlimits",
    "argmax",
    "argmin",
    "plim",
    "injlim",
    "projlim",
    "arctg",
    "arcctg",
    "cosec",
    "cotg",
    "ch",
    "sh",
    "th",
    "cth",
    "pmod",
    "pod",
    "dfrac",
    "tfrac",
    "cfrac",
    "dbinom",
    "tbinom",
    "overset",
    "underset",
    "stackrel",
    "xrightarrow",
    "xleftarrow",
    "xleftrightarrow",
    "xRightarrow",
    "xLeftarrow",
    "xLeftrightarrow",
    "xmapsto",
    "xhookrightarrow",
    "xhookleftarrow",
    "mathring",
    "overleftrightarrow",
    "overleftharpoon",
    "overrightharpoon",
    "overgroup",
    "undergroup",
    "mathinner",
    "bra",
    "ket",
    "braket",
    "Bra",
    "Ket",
    "Braket",
    "matrix",
    "pmatrix",
    "bmatrix",
    "Bmatrix",
    "vmatrix",
    "Vmatrix",
    "smallmatrix",
    "mitexarray",
    "rcases",
    "aligned",
    "alignedat",
    "boxed",
    "phantom",
    "hphantom",
    "vphantom",
    "bcancel",
    "xcancel",
    "underbar",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "mathbin",
    "mathrel",
    "mathop",
    "mathord",
    "mathopen",
    "mathclose",
    "mathpunct",
    "diff",
    "negthinspace",
    "negmedspace",
    "negthickspace",
    "enspace",
    "varGamma",
    "varDelta",
    "varTheta",
    "varLambda",
    "varXi",
    "varPi",
    "varSigma",
    "varUpsilon",
    "varPhi",
    "varPsi",
    "varOmega",
];

/// Names of the prelude `math.typ` that a formula may call as code, `#name[text]`:
/// the converter writes `\text{…}` and its variants this way.
pub const PRELUDE_TEXT: &[&str] = &[
    "textmath",
    "textrm",
    "textup",
    "textmd",
    "textnormal",
    "textbf",
    "textit",
    "textsf",
    "texttt",
];

/// Typst's standard library, for the names of its math scope.
static LIBRARY: LazyLock<typst::Library> = LazyLock::new(typst::Library::default);

/// Converts LaTeX math into a Typst equation: `$…$` inline, `$ … $` for
/// display. The error says, in a few words, why it could not be.
pub fn latex_to_typst(tex: &str, display: bool) -> Result<String, String> {
    check_size(tex)?;
    let protected = protect_escapes(tex);
    let converted = without_panic_message(|| mitex::convert_math(&protected, None))
        .ok_or_else(|| "the LaTeX → Typst converter failed on it".to_string())?
        .map_err(|e| e.trim_start_matches("error: ").to_string())?;
    let mut body = adjust(converted.trim());
    for (escape, stand_in) in PROTECTED {
        body = body.replace(*stand_in, escape);
    }
    // `\` before the closing `$` would escape it.
    if body.ends_with('\\') {
        body.push(' ');
    }
    let equation = if display {
        format!("$ {body} $")
    } else {
        format!("${body}$")
    };
    check_equation(&equation)?;
    Ok(equation)
}

/// `\#`, `\$` and `\&`, which mitex writes as the words `hash`, `dollar`
/// and `amp` inside `\text{…}`, and the private-use characters that stand
/// in for them through the conversion (then become Typst escapes, valid in
/// math and in markup alike).
const PROTECTED: &[(&str, char)] = &[
    ("\\#", '\u{E023}'),
    ("\\$", '\u{E024}'),
    ("\\&", '\u{E026}'),
];

/// Replaces the escapes of [`PROTECTED`] with their stand-ins (`\\` stays
/// a line break). A formula that already holds a stand-in is left alone.
fn protect_escapes(tex: &str) -> String {
    if PROTECTED.iter().any(|(_, c)| tex.contains(*c)) {
        return tex.to_string();
    }
    let mut out = String::with_capacity(tex.len());
    let mut chars = tex.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(next) => match PROTECTED.iter().find(|(e, _)| e.ends_with(next)) {
                Some((_, stand_in)) => out.push(*stand_in),
                None => {
                    out.push(c);
                    out.push(next);
                }
            },
            None => out.push(c),
        }
    }
    out
}

/// Symbols the converter names as Typst did before 0.14, and their names
/// in the Typst we embed: `(old, new)`, renaming a name or a name and its
/// first modifiers (`sect.big` → `inter.big`).
const RENAMED: &[(&str, &str)] = &[
    ("sect", "inter"),
    ("angle.l", "chevron.l"),
    ("angle.r", "chevron.r"),
    ("dot.circle", "dot.o"),
    ("plus.circle", "plus.o"),
    ("times.circle", "times.o"),
    ("minus.circle", "minus.o"),
    ("dash.circle", "dash.o"),
    ("ast.circle", "ast.o"),
    ("circle.nested", "compose.o"),
    ("planck.reduce", "planck"),
    ("arrow.l.dash", "arrow.l.dashed"),
    ("arrow.r.dash", "arrow.r.dashed"),
    ("bracket.l.double", "bracket.l.stroked"),
    ("bracket.r.double", "bracket.r.stroked"),
    ("lt.tri", "lt.closed"),
    ("gt.tri", "gt.closed"),
    ("tack.r.double", "tack.rr"),
    ("tack.l.double", "tack.ll"),
    ("ohm.inv", "℧"),
    ("join", "bowtie.big"),
];

/// Adjusts the converter's output to the Typst we embed, on nodes found by
/// Typst's parser (so text is never touched): the symbols of [`RENAMED`],
/// a quad after each `&` of `cases` (LaTeX leaves that space between a
/// value and its condition), apostrophes in `\text{…}` as `’` (a straight
/// one would become an opening quote there), and any markup the converter
/// left in `\text{…}` (`<d>` would be a label, `= x` a heading) escaped
/// back into text.
fn adjust(math: &str) -> String {
    let root = typst::syntax::parse_math(math);
    let mut edits = Vec::new();
    collect_edits(&root, 0, false, &mut edits);
    let mut out = math.to_string();
    for (range, new) in edits.into_iter().rev() {
        out.replace_range(range, &new);
    }
    out
}

fn collect_edits(
    node: &SyntaxNode,
    offset: usize,
    in_cases: bool,
    edits: &mut Vec<(std::ops::Range<usize>, String)>,
) {
    let here = offset..offset + node.len();
    match node.kind() {
        SyntaxKind::MathIdent | SyntaxKind::MathFieldAccess => {
            let path = node.full_text();
            for (old, new) in RENAMED {
                if let Some(rest) = path.strip_prefix(old)
                    && (rest.is_empty() || rest.starts_with('.'))
                {
                    edits.push((here, format!("{new}{rest}")));
                    return;
                }
            }
        }
        SyntaxKind::MathAlignPoint if in_cases => edits.push((here, "&quad ".into())),
        SyntaxKind::SmartQuote if node.leaf_text() == "'" => edits.push((here, "’".into())),
        SyntaxKind::Markup => {
            let mut at = offset;
            for child in node.children() {
                let range = at..at + child.len();
                match child.kind() {
                    SyntaxKind::Text
                    | SyntaxKind::Space
                    | SyntaxKind::Escape
                    | SyntaxKind::Shorthand
                    | SyntaxKind::SmartQuote
                    | SyntaxKind::Linebreak => collect_edits(child, at, in_cases, edits),
                    SyntaxKind::Parbreak => edits.push((range, " ".into())),
                    _ => edits.push((range, escape_markup(&child.full_text()))),
                }
                at += child.len();
            }
            return;
        }
        _ => {}
    }
    // Inside `cases(…)`, but not inside another call within it.
    let in_cases = match node.kind() {
        SyntaxKind::MathCall => node
            .children()
            .next()
            .is_some_and(|callee| matches!(callee.leaf_text().as_str(), "cases" | "rcases")),
        _ => in_cases,
    };
    let mut at = offset;
    for child in node.children() {
        collect_edits(child, at, in_cases, edits);
        at += child.len();
    }
}

/// Markup as text: every ASCII punctuation character not already escaped
/// gets a backslash (an apostrophe becomes `’`), line breaks become spaces.
fn escape_markup(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len() * 2);
    let mut chars = markup.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '\'' => out.push('’'),
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Accepts `equation` only if Typst parses it as one equation (and nothing
/// else) made only of what [`latex_to_typst`] allows.
pub fn check_equation(equation: &str) -> Result<(), String> {
    let root = typst::syntax::parse(equation);
    let children: Vec<&SyntaxNode> = root.children().collect();
    let [only] = children.as_slice() else {
        return Err("its conversion is not a single Typst equation".into());
    };
    if only.kind() != SyntaxKind::Equation
        || only.len() != equation.len()
        || root.diagnosis().either()
    {
        return Err("its conversion is not a single Typst equation".into());
    }
    for child in only.children() {
        match child.kind() {
            SyntaxKind::Dollar | SyntaxKind::Space => {}
            SyntaxKind::Math => check_math(child)?,
            other => return Err(refused(other, child)),
        }
    }
    Ok(())
}

fn refused(kind: SyntaxKind, node: &SyntaxNode) -> String {
    let text = node.full_text();
    let shown: String = text.chars().take(40).collect();
    format!("its conversion contains {} `{shown}`", kind.name())
}

/// Checks the children of a math node, in order (a `#` is judged with the
/// expression after it).
fn check_math(node: &SyntaxNode) -> Result<(), String> {
    let children: Vec<&SyntaxNode> = node.children().collect();
    let mut i = 0;
    while i < children.len() {
        let child = children[i];
        if child.kind() == SyntaxKind::Hash {
            let call = children.get(i + 1).copied();
            check_text_call(call.ok_or_else(|| refused(SyntaxKind::Hash, child))?)?;
            i += 2;
            continue;
        }
        check_math_node(child)?;
        i += 1;
    }
    Ok(())
}

fn check_math_node(node: &SyntaxNode) -> Result<(), String> {
    use SyntaxKind as K;
    match node.kind() {
        // Inert tokens: text, numbers, operators, spacing, punctuation.
        K::Text
        | K::MathText
        | K::MathShorthand
        | K::MathAlignPoint
        | K::Escape
        | K::Shorthand
        | K::Linebreak
        | K::Space
        | K::Str
        | K::Root
        | K::Hat
        | K::Underscore
        | K::Slash
        | K::Comma
        | K::Semicolon
        | K::Colon
        | K::LeftParen
        | K::RightParen => Ok(()),
        // Structure: recurse.
        K::Math
        | K::MathDelimited
        | K::MathAttach
        | K::MathPrimes
        | K::MathFrac
        | K::MathRoot
        | K::MathArgs => check_math(node),
        K::MathIdent => check_ident(node.leaf_text()),
        K::MathFieldAccess => check_symbol_path(node),
        K::MathCall => {
            let mut children = node.children();
            let callee = children.next().ok_or_else(|| refused(K::MathCall, node))?;
            match callee.kind() {
                K::MathIdent => {
                    check_ident(callee.leaf_text())?;
                    check_arity(callee.leaf_text(), node)?;
                }
                K::MathFieldAccess => check_symbol_path(callee)?,
                other => return Err(refused(other, callee)),
            }
            for rest in children {
                check_math_node(rest)?;
            }
            Ok(())
        }
        // `name: value` in a call: the name is a plain identifier.
        K::Named => {
            for child in node.children() {
                match child.kind() {
                    K::Ident | K::Colon | K::Space => {}
                    _ => check_math_node(child)?,
                }
            }
            Ok(())
        }
        other => Err(refused(other, node)),
    }
}

/// Functions that need two arguments, of Typst's math scope and of our
/// prelude: a conversion that gives one fewer (mitex turns `\dfrac{}^x`
/// into `dfrac(zws)^(x)`) parses, but fails to compile.
const TWO_ARGUMENTS: &[&str] = &[
    "frac", "dfrac", "tfrac", "cfrac", "binom", "dbinom", "tbinom", "overset", "underset",
    "stackrel",
];

/// Refuses a call of a function of [`TWO_ARGUMENTS`] with fewer positional
/// arguments.
fn check_arity(name: &str, call: &SyntaxNode) -> Result<(), String> {
    if !TWO_ARGUMENTS.contains(&name) {
        return Ok(());
    }
    let Some(args) = call.children().find(|c| c.kind() == SyntaxKind::MathArgs) else {
        return Err(format!("its conversion calls `{name}` without arguments"));
    };
    // Positional arguments are the runs between commas that hold
    // something other than space and named arguments.
    let mut count = 0;
    let mut filled = false;
    for child in args.children() {
        match child.kind() {
            SyntaxKind::Comma | SyntaxKind::Semicolon => {
                count += usize::from(filled);
                filled = false;
            }
            SyntaxKind::LeftParen
            | SyntaxKind::RightParen
            | SyntaxKind::Space
            | SyntaxKind::Named => {}
            _ => filled = true,
        }
    }
    count += usize::from(filled);
    if count < 2 {
        return Err(format!(
            "its conversion gives `{name}` {count} argument(s) where it needs 2"
        ));
    }
    Ok(())
}

/// A name used in math: ours, or one of Typst's math scope (symbols and
/// math functions, which only lay out their arguments).
fn check_ident(name: &str) -> Result<(), String> {
    if PRELUDE_MATH.contains(&name) {
        return Ok(());
    }
    match LIBRARY.math.scope().get(name) {
        Some(binding) if binding.deprecation().is_some() => Err(format!(
            "its conversion uses `{name}`, a name Typst has deprecated"
        )),
        Some(_) => Ok(()),
        None => Err(format!(
            "its conversion uses `{name}`, which ouvrage does not define"
        )),
    }
}

/// `arrow.r.long`: a symbol of Typst's math scope and modifiers it has.
fn check_symbol_path(node: &SyntaxNode) -> Result<(), String> {
    let text = node.full_text();
    let mut parts = text.split('.');
    let base = parts.next().unwrap_or_default();
    let Some(binding) = LIBRARY.math.scope().get(base) else {
        return Err(format!(
            "its conversion uses `{text}`, which Typst does not define"
        ));
    };
    if binding.deprecation().is_some() {
        return Err(format!(
            "its conversion uses `{text}`, a symbol name Typst has deprecated"
        ));
    }
    let Value::Symbol(symbol) = binding.read() else {
        return Err(format!(
            "its conversion uses `{text}`, which is not a symbol"
        ));
    };
    let mut symbol = symbol.clone();
    let mut deprecated = Deprecations(false);
    for modifier in parts {
        symbol = symbol
            .modified(&mut deprecated, modifier)
            .map_err(|_| format!("its conversion uses `{text}`, which Typst does not define"))?;
    }
    if deprecated.0 {
        return Err(format!(
            "its conversion uses `{text}`, a symbol name Typst has deprecated"
        ));
    }
    Ok(())
}

/// Notes whether a modifier was deprecated: the name would still compile,
/// with a warning the author could do nothing about.
struct Deprecations(bool);

impl typst::diag::WarningSink for &mut Deprecations {
    fn emit(&mut self, _: typst::diag::HintedString) {
        self.0 = true;
    }
}

/// `#textmath[plain text]`: one of [`PRELUDE_TEXT`], called with content
/// blocks that hold nothing but text.
fn check_text_call(node: &SyntaxNode) -> Result<(), String> {
    use SyntaxKind as K;
    if node.kind() != K::FuncCall {
        return Err(refused(K::Hash, node));
    }
    let mut children = node.children();
    let callee = children.next().ok_or_else(|| refused(K::FuncCall, node))?;
    if callee.kind() != K::Ident || !PRELUDE_TEXT.contains(&callee.leaf_text().as_str()) {
        return Err(refused(K::FuncCall, node));
    }
    for args in children {
        if args.kind() != K::Args {
            return Err(refused(args.kind(), args));
        }
        for arg in args.children() {
            if arg.kind() != K::ContentBlock {
                return Err(refused(arg.kind(), arg));
            }
            for part in arg.children() {
                match part.kind() {
                    K::LeftBracket | K::RightBracket => {}
                    K::Markup => check_plain_markup(part)?,
                    other => return Err(refused(other, part)),
                }
            }
        }
    }
    Ok(())
}

/// Markup that is only text: no emphasis, raw, labels, references,
/// headings, lists, equations, comments or code.
fn check_plain_markup(node: &SyntaxNode) -> Result<(), String> {
    use SyntaxKind as K;
    for child in node.children() {
        match child.kind() {
            K::Text | K::Space | K::Escape | K::Shorthand | K::SmartQuote | K::Linebreak => {}
            other => return Err(refused(other, child)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_formulas_convert() {
        for (tex, display) in [
            ("a^2+b^2=c^2", false),
            ("\\frac{a}{b} + \\dfrac{1}{1+r}", true),
            ("\\sum_{i=1}^n x_i", true),
            ("Y = \\text{revenu disponible} - T", false),
            ("\\mathbb{E}[X] = \\mu", false),
            ("\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}", true),
            (
                "\\begin{aligned} y &= ax + b \\\\ &= c \\end{aligned}",
                true,
            ),
            ("\\left( \\frac{1}{n} \\sum_{i} x_i \\right)", true),
            ("\\sqrt{x} + \\sqrt[3]{y}", false),
            ("\\hat{\\beta} = (X'X)^{-1} X'y", true),
            ("\\overline{x}", false),
            ("\\partial_t u \\langle x \\rangle", false),
            ("\\operatorname{Var}(X)", false),
        ] {
            let typst = latex_to_typst(tex, display).unwrap_or_else(|e| panic!("{tex}: {e}"));
            assert!(typst.starts_with('$') && typst.ends_with('$'), "{typst}");
        }
    }

    #[test]
    fn escaped_characters_in_text_stay_characters() {
        let typst = latex_to_typst("\\text{R\\&D en \\$ \\#1} + \\# \\\\ x", true).unwrap();
        assert!(typst.contains("#textmath[R\\&D en \\$ \\#1]"), "{typst}");
        assert!(
            !typst.contains("amp") && !typst.contains("dollar"),
            "{typst}"
        );
    }

    #[test]
    fn display_and_inline_delimiters() {
        assert_eq!(latex_to_typst("x", false).unwrap(), "$x$");
        // Found by the property test of tests/pdf_props.rs: a fraction
        // whose conversion lost its denominator compiled to an error.
        assert!(latex_to_typst("\\dfrac{}^\\\\", true).is_err());
        assert!(latex_to_typst("x", true).unwrap().starts_with("$ "));
    }

    #[test]
    fn code_comments_and_escapes_are_refused() {
        for hostile in [
            "$#read(\"/etc/passwd\")$",
            "$a #panic() b$",
            "$x // comment$",
            "$x /* comment$",
            "$x$ #read(\"x\") $y$",
            "$x \\$",
            "$#textmath[#read(\"x\")]$",
            "$#textmath[*gras*]$",
            "$#image(\"/etc/passwd\")$",
            "$read(\"/etc/passwd\")$",
            "$std.read(\"x\")$",
            "$sym.arrow.r$",
            "$arrow.nonexistent$",
            "$x \"a\" #{1}$",
            "$ x $ $",
            "$ dfrac(zws )^(\\ ) $",
            "$ frac(a) $",
            "$ binom(n, ) $",
        ] {
            assert!(check_equation(hostile).is_err(), "{hostile} was accepted");
        }
        for fine in [
            "$x$",
            "$ frac(a, b) $",
            "$ dfrac(1, 1 + r)^2 $",
            "$ binom(n, k, l) $",
            "$#textmath[revenu disponible];$",
            "$arrow.r.long$",
        ] {
            assert!(
                check_equation(fine).is_ok(),
                "{fine}: {:?}",
                check_equation(fine)
            );
        }
    }

    #[test]
    fn hostile_latex_never_becomes_code() {
        for tex in [
            "\\text{#read(\"/etc/passwd\")}",
            "\\operatorname{#panic()}",
            "a # b",
            "\\verb|#read(\"x\")|",
            "x // y /* z",
            "\\includegraphics{/etc/passwd}",
            "\\textbf{#eval(\"1\")}",
            "\\text{\"#read(\"/etc/passwd\")\"}",
            "a } b",
            "\\label",
            "\\begin{tabular}",
            // mitex copies `\iftypst … \fi` verbatim: raw Typst code.
            "\\iftypst #read(\"/etc/passwd\") \\fi",
            "\\iftypst #textmath[#read(\"/etc/passwd\")] \\fi",
            "\\iftypst $ #read(\"x\") $ \\fi",
            "\\iftypst x \" #read(\"x\") \" \\fi",
            "\\iftypst textmath[x] /* \\fi",
            "\\def\\x{\\iftypst #read(\"x\") \\fi} \\x",
            "\\text{<d> = e} \\text{- f} \\text{`raw`}",
        ] {
            if let Ok(typst) = latex_to_typst(tex, false) {
                assert!(check_equation(&typst).is_ok());
                // Every `#` Typst reads as code calls one of the text
                // functions, whose content is text.
                let root = typst::syntax::parse(&typst);
                assert_only_text_calls(&root, &typst, tex);
            }
        }
    }

    fn assert_only_text_calls(node: &SyntaxNode, typst: &str, tex: &str) {
        let children: Vec<&SyntaxNode> = node.children().collect();
        for (i, child) in children.iter().enumerate() {
            match child.kind() {
                SyntaxKind::Hash => {
                    let call = children
                        .get(i + 1)
                        .map(|c| c.full_text())
                        .unwrap_or_default();
                    assert!(
                        PRELUDE_TEXT
                            .iter()
                            .any(|f| call.starts_with(&format!("{f}["))),
                        "{tex} → {typst}"
                    );
                }
                SyntaxKind::Markup => {
                    for part in child.children() {
                        assert!(
                            matches!(
                                part.kind(),
                                SyntaxKind::Text
                                    | SyntaxKind::Space
                                    | SyntaxKind::Escape
                                    | SyntaxKind::Shorthand
                                    | SyntaxKind::SmartQuote
                            ),
                            "{tex} → {typst}"
                        );
                    }
                }
                SyntaxKind::Code
                | SyntaxKind::CodeBlock
                | SyntaxKind::LineComment
                | SyntaxKind::BlockComment => {
                    panic!("{tex} → {typst}")
                }
                _ => {}
            }
            assert_only_text_calls(child, typst, tex);
        }
    }
}

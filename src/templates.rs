//! The template registry: every template the outputs are made with, listed
//! once. An entry gives the name a book uses to replace it (a file of that
//! name in the book's `templates/` folder), the built-in text embedded in the
//! binary, the output that uses it and its kind (how it is filled in).
//!
//! Loading reads a book's replacements by these names and warns about any
//! other file in `templates/` (`load`); each renderer takes its templates
//! from here ([`Template::text`], or the site's and the EPUB's MiniJinja
//! environment, [`crate::render::html::Templates`], built from
//! [`for_output`]); `ouvrage init --templates` writes every entry's built-in
//! text into a book.
//!
//! The CI workflows of `templates/ci/` in this repository, which
//! `ouvrage init --ci` writes, are not here: they are files of the forge's
//! repository (not of any output), a book cannot replace them from its
//! `templates/`, and they are filled in once when written, not at each build.

use crate::model::Book;

/// The folder of a book's own templates, which replace the built-in ones
/// by name.
pub const DIR: &str = "templates";

/// The output a template belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The HTML site (`_book/html/`).
    Site,
    /// The EPUB.
    Epub,
    /// The print PDF (and the EPUB's cover, which the PDF's template draws).
    Pdf,
}

impl Output {
    /// Its name, as the documentation says it.
    pub fn name(self) -> &'static str {
        match self {
            Output::Site => "site",
            Output::Epub => "EPUB",
            Output::Pdf => "PDF",
        }
    }
}

/// How a template is filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A MiniJinja template that writes HTML: values are escaped as HTML.
    Html,
    /// A MiniJinja template that writes XML (the EPUB's documents): values
    /// are escaped as XML, and the result must be well-formed.
    Xml,
    /// A Typst template, compiled with the generated sources of the book.
    Typst,
    /// Copied into the output as it is (a stylesheet, a script).
    Static,
}

impl Kind {
    /// Its name, as the documentation says it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Html => "HTML",
            Kind::Xml => "XML",
            Kind::Typst => "Typst",
            Kind::Static => "static",
        }
    }
}

/// One template: a built-in text that a book may replace.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    /// The file name a book's `templates/` replaces it with.
    pub name: &'static str,
    /// The output that uses it.
    pub output: Output,
    /// How it is filled in.
    pub kind: Kind,
    /// What it makes, in a few words (the table of `templates/README.md`
    /// says the same, which a test checks).
    pub about: &'static str,
    /// The built-in text.
    pub builtin: &'static str,
}

impl Template {
    /// Whether MiniJinja compiles it (HTML or XML markup).
    pub fn is_markup(&self) -> bool {
        matches!(self.kind, Kind::Html | Kind::Xml)
    }

    /// The text `book` builds with: its own file in `templates/` when it
    /// has one, else the built-in text.
    pub fn text<'a>(&self, book: &'a Book) -> &'a str {
        match book.templates.get(self.name) {
            Some(&file) => &book.sources.get(file).text,
            None => self.builtin,
        }
    }
}

/// The site's page layout, which every page template extends.
pub static LAYOUT_HTML: Template = Template {
    name: "layout.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "the layout every page of the site extends",
    builtin: include_str!("render/html/templates/layout.html"),
};

/// The site's title page and table of contents.
pub static INDEX_HTML: Template = Template {
    name: "index.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "the title page and table of contents",
    builtin: include_str!("render/html/templates/index.html"),
};

/// A chapter page of the site (and the book's reference list page).
pub static CHAPTER_HTML: Template = Template {
    name: "chapter.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "a chapter page (and the book's reference list page)",
    builtin: include_str!("render/html/templates/chapter.html"),
};

/// The site's contributors page.
pub static CONTRIBUTORS_HTML: Template = Template {
    name: "contributors.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "the contributors page",
    builtin: include_str!("render/html/templates/contributors.html"),
};

/// The site's back-of-book index (`book-index.html`).
pub static BOOK_INDEX_HTML: Template = Template {
    name: "book-index.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "the back-of-book index, when terms are marked",
    builtin: include_str!("render/html/templates/book-index.html"),
};

/// The EPUB's index document.
pub static EPUB_INDEX_XHTML: Template = Template {
    name: "epub-index.xhtml",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "the back-of-book index, after the contributors' page",
    builtin: include_str!("render/epub/templates/index.xhtml"),
};

/// The review dashboard of draft builds.
pub static STATUS_HTML: Template = Template {
    name: "status.html",
    output: Output::Site,
    kind: Kind::Html,
    about: "the review dashboard of draft builds",
    builtin: include_str!("render/html/templates/status.html"),
};

/// The site's stylesheet.
pub static STYLE_CSS: Template = Template {
    name: "style.css",
    output: Output::Site,
    kind: Kind::Static,
    about: "the site's stylesheet",
    builtin: include_str!("render/html/templates/style.css"),
};

/// The site's offline search script.
pub static SEARCH_JS: Template = Template {
    name: "search.js",
    output: Output::Site,
    kind: Kind::Static,
    about: "the site's offline search script",
    builtin: include_str!("render/html/templates/search.js"),
};

/// The PDF's design, whose `cover(meta)` is also the EPUB's cover.
pub static BOOK_TYP: Template = Template {
    name: "book.typ",
    output: Output::Pdf,
    kind: Kind::Typst,
    about: "the PDF's design (and the EPUB's cover)",
    builtin: include_str!("render/typst/book.typ"),
};

/// The EPUB's package document.
pub static EPUB_PACKAGE_OPF: Template = Template {
    name: "epub-package.opf",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "the package document: metadata, manifest, spine",
    builtin: include_str!("render/epub/templates/package.opf"),
};

/// The EPUB's navigation document.
pub static EPUB_NAV_XHTML: Template = Template {
    name: "epub-nav.xhtml",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "the table of contents and landmarks",
    builtin: include_str!("render/epub/templates/nav.xhtml"),
};

/// The EPUB's cover page.
pub static EPUB_COVER_XHTML: Template = Template {
    name: "epub-cover.xhtml",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "the cover page around the cover image",
    builtin: include_str!("render/epub/templates/cover.xhtml"),
};

/// An EPUB chapter document.
pub static EPUB_CHAPTER_XHTML: Template = Template {
    name: "epub-chapter.xhtml",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "a chapter document",
    builtin: include_str!("render/epub/templates/chapter.xhtml"),
};

/// The EPUB's contributors' page.
pub static EPUB_CONTRIBUTORS_XHTML: Template = Template {
    name: "epub-contributors.xhtml",
    output: Output::Epub,
    kind: Kind::Xml,
    about: "the contributors' page, after the chapters",
    builtin: include_str!("render/epub/templates/contributors.xhtml"),
};

/// The EPUB's stylesheet.
pub static EPUB_STYLE_CSS: Template = Template {
    name: "epub-style.css",
    output: Output::Epub,
    kind: Kind::Static,
    about: "the EPUB's stylesheet",
    builtin: include_str!("render/epub/templates/style.css"),
};

/// Every template, by output (site, PDF, EPUB).
pub static ALL: &[&Template] = &[
    &LAYOUT_HTML,
    &INDEX_HTML,
    &CHAPTER_HTML,
    &CONTRIBUTORS_HTML,
    &BOOK_INDEX_HTML,
    &STATUS_HTML,
    &STYLE_CSS,
    &SEARCH_JS,
    &BOOK_TYP,
    &EPUB_PACKAGE_OPF,
    &EPUB_NAV_XHTML,
    &EPUB_COVER_XHTML,
    &EPUB_CHAPTER_XHTML,
    &EPUB_CONTRIBUTORS_XHTML,
    &EPUB_INDEX_XHTML,
    &EPUB_STYLE_CSS,
];

/// The template a book replaces with a file called `name`, if any.
pub fn find(name: &str) -> Option<&'static Template> {
    ALL.iter().copied().find(|t| t.name == name)
}

/// The templates of one output.
pub fn for_output(output: Output) -> impl Iterator<Item = &'static Template> {
    ALL.iter().copied().filter(move |t| t.output == output)
}

/// Every name a book's `templates/` may use.
pub fn names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|t| t.name)
}

/// Whether a file in a book's `templates/` is left alone by design rather
/// than taken for a misspelt template: hidden files (editors' swap files,
/// `.DS_Store`), `_`-prefixed ones (set aside, as in `chapters/`), README
/// files, which document the folder, and copies kept beside a template
/// (`chapter.html.orig`, `chapter.html~`).
pub fn is_ignored(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let copy_of_template = names().any(|t| {
        name.strip_prefix(t)
            .is_some_and(|rest| rest.starts_with(['.', '~']))
    });
    name.starts_with(['.', '_']) || stem.eq_ignore_ascii_case("readme") || copy_of_template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_each_output_has_its_templates() {
        let mut names: Vec<_> = names().collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(for_output(Output::Site).count(), 8);
        assert_eq!(for_output(Output::Epub).count(), 7);
        assert_eq!(for_output(Output::Pdf).count(), 1);
        assert!(ALL.iter().all(|t| !t.builtin.is_empty()));
    }

    #[test]
    fn kinds_follow_the_file_types() {
        for t in ALL {
            let ext = t.name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
            let expected = match ext {
                "html" => Kind::Html,
                "xhtml" | "opf" => Kind::Xml,
                "typ" => Kind::Typst,
                _ => Kind::Static,
            };
            assert_eq!(t.kind, expected, "{}", t.name);
        }
    }

    #[test]
    fn readme_and_hidden_files_are_not_templates() {
        for name in [
            "README.md",
            "readme",
            "Readme.txt",
            ".DS_Store",
            ".chapter.html.swp",
            "_index.html",
            "chapter.html.orig",
            "book.typ~",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in [
            "chapitre.html",
            "style.cs",
            "book.tpy",
            "readme-style.css",
            "style.css2",
            "layout.htm",
        ] {
            assert!(!is_ignored(name), "{name}");
        }
        assert!(find("chapitre.html").is_none());
        assert_eq!(find("book.typ"), Some(&BOOK_TYP));
    }
}

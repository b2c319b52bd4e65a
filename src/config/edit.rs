//! book.toml edited in place, its comments and layout kept (toml_edit):
//! the one writer of `book.chapters` for `ouvrage new` and `ouvrage
//! import docx`.

/// book.toml's text with `id` appended to `book.chapters`; `None` when
/// book.toml lists no chapters (the reading order is then the files'
/// order, and the new chapter takes its place there); an error when the
/// text does not parse.
pub fn chapter_appended(text: &str, id: &str) -> Result<Option<String>, String> {
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let Some(list) = doc
        .get_mut("book")
        .and_then(|b| b.get_mut("chapters"))
        .and_then(|c| c.as_array_mut())
    else {
        return Ok(None);
    };
    list.push(id);
    Ok(Some(doc.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_grows_and_comments_stay() {
        let text = "# the book\n[book]\ntitle = \"T\"\nchapters = [\"a\"] # order\n";
        let new = chapter_appended(text, "b").unwrap().unwrap();
        assert!(new.contains("chapters = [\"a\", \"b\"] # order"), "{new}");
        assert!(new.starts_with("# the book\n"));
        assert_eq!(
            chapter_appended("[book]\ntitle = \"T\"\n", "b").unwrap(),
            None
        );
        assert!(chapter_appended("[book", "b").is_err());
    }
}

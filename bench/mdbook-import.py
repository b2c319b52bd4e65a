#!/usr/bin/env python3
"""bench/mdbook-import.py MDBOOK_DIR BOOK_DIR: an mdBook as an ouvrage book,
for the benchmarks (a real book nobody here wrote).

Written for The Rust Programming Language (github.com/rust-lang/book, its
`src/` and `listings/`), and general enough for most mdBooks: every chapter of
SUMMARY.md in reading order becomes `chapters/NNN-<name>.md` with its first
heading as its title; `{{#include}}` and `{{#rustdoc_include}}` are replaced
by the file (or the anchor) they name; the trpl preprocessor's `<Listing>`
tags become a caption line; `.html` links to chapters become links to their
`.md` files, and links that leave the book become absolute links to
doc.rust-lang.org; images are copied. `book.toml` and `contributors.toml` are
written from the mdBook's title and authors (every chapter is by all of
them, so that a change of a contributor's name shows in every chapter).

Nothing here is part of ouvrage: it only makes benchmark input.
"""

import os
import re
import shutil
import sys


def die(message):
    print(f"mdbook-import.py: {message}", file=sys.stderr)
    sys.exit(1)


def summary(src):
    """The chapter files of SUMMARY.md, in reading order."""
    files = []
    with open(os.path.join(src, "SUMMARY.md"), encoding="utf-8") as f:
        for line in f:
            m = re.search(r"\]\(([^)]+\.md)\)", line)
            if m and os.path.isfile(os.path.join(src, m.group(1))):
                files.append(m.group(1))
    return files


def anchor_lines(text, anchor):
    """The lines between ANCHOR: and ANCHOR_END: of `anchor` (all without one),
    without the ANCHOR lines themselves."""
    lines = text.splitlines()
    if anchor:
        inside, picked = False, []
        for line in lines:
            if re.search(rf"ANCHOR:\s*{re.escape(anchor)}\b", line):
                inside = True
                continue
            if re.search(rf"ANCHOR_END:\s*{re.escape(anchor)}\b", line):
                inside = False
                continue
            if inside:
                picked.append(line)
        lines = picked
    return "\n".join(l for l in lines if "ANCHOR" not in l)


def include(base, match):
    path = match.group(2)
    anchor = None
    if ":" in path:
        path, anchor = path.split(":", 1)
        if anchor.isdigit() or "-" in anchor and anchor.replace("-", "").isdigit():
            anchor = None
    full = os.path.normpath(os.path.join(base, path))
    try:
        with open(full, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return ""
    body = anchor_lines(text, anchor)
    if match.group(1) == "rustdoc_include":
        # Lines hidden with `# ` stay out of the book, as mdBook hides them.
        body = "\n".join(l for l in body.splitlines() if not l.startswith("# ") and l != "#")
    return body


def convert(src, name, chapter_names, text):
    own = name
    base = os.path.dirname(os.path.join(src, name))
    text = re.sub(r"\{\{#(include|rustdoc_include)\s+([^}\s]+)\s*\}\}",
                  lambda m: include(base, m), text)
    # The trpl preprocessor's listings: a caption line, the content as is.
    def listing(m):
        attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', m.group(1)))
        parts = []
        if "number" in attrs:
            parts.append(f"Listing {attrs['number']}")
        if "file-name" in attrs:
            parts.append(attrs["file-name"])
        caption = ": ".join(parts)
        if "caption" in attrs:
            caption += f" — {attrs['caption']}" if caption else attrs["caption"]
        return f"*{caption}*\n" if caption else ""
    text = re.sub(r"<Listing([^>]*)>\n?", listing, text)
    text = re.sub(r"</Listing>\n?", "", text)
    text = re.sub(r'<span class="filename">(.*?)</span>', r"*\1*", text)

    def link(m):
        target = m.group(2)
        path, _, anchor = target.partition("#")
        if re.match(r"^[a-z]+:", target):
            return m.group(0)
        if target.startswith("#"):
            # mdBook's heading ids and ouvrage's differ on punctuation.
            return f"{m.group(1)}{chapter_names[own]}"
        if path.startswith("../"):
            return f"{m.group(1)}https://doc.rust-lang.org/{path[3:]}{'#' + anchor if anchor else ''}"
        md = re.sub(r"\.html$", ".md", path)
        if md in chapter_names:
            # Anchors are dropped, as above.
            return f"{m.group(1)}{chapter_names[md]}"
        return m.group(0)
    # Inline links and reference definitions.
    text = re.sub(r"(\]\()([^)\s]+)(?=\))", link, text)
    text = re.sub(r"(?m)^(\[[^\]]+\]:\s*)(\S+)", link, text)

    lines = text.splitlines()
    title = name
    for i, line in enumerate(lines):
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            title = m.group(2).strip()
            del lines[i]
            break
    title = title.replace("\\", "\\\\").replace('"', '\\"')
    body = "\n".join(lines).strip() + "\n"
    return f'---\ntitle: "{title}"\nauthors: [klabnik, nichols, krycho]\n---\n\n{body}'


def main():
    if len(sys.argv) != 3:
        die("usage: bench/mdbook-import.py MDBOOK_DIR BOOK_DIR")
    mdbook, out = sys.argv[1], sys.argv[2]
    src = os.path.join(mdbook, "src")
    if not os.path.isfile(os.path.join(src, "SUMMARY.md")):
        die(f"{src}/SUMMARY.md is missing")
    if os.path.exists(out) and os.listdir(out):
        die(f"{out} is not empty")
    files = summary(src)
    names = {}
    for i, name in enumerate(files, 1):
        stem = re.sub(r"[^a-z0-9-]", "-", os.path.splitext(os.path.basename(name))[0].lower())
        names[name] = f"{i:03}-{stem}.md"
    os.makedirs(os.path.join(out, "chapters"), exist_ok=True)
    for name in files:
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        with open(os.path.join(out, "chapters", names[name]), "w", encoding="utf-8") as f:
            f.write(convert(src, name, names, text))
    for folder in ("img", "images"):
        if os.path.isdir(os.path.join(src, folder)):
            shutil.copytree(os.path.join(src, folder), os.path.join(out, "chapters", folder))
    title = "The Rust Programming Language"
    toml = os.path.join(mdbook, "book.toml")
    if os.path.isfile(toml):
        m = re.search(r'(?m)^title\s*=\s*"([^"]*)"', open(toml, encoding="utf-8").read())
        if m:
            title = m.group(1)
    with open(os.path.join(out, "book.toml"), "w", encoding="utf-8") as f:
        f.write(f'[book]\ntitle = "{title}"\nlanguage = "en"\neditors = ["klabnik"]\n')
        # The book prints emoji and greetings in a dozen scripts: the
        # system's Noto fonts draw them (Debian's fonts-noto-core,
        # fonts-noto-cjk, fonts-noto-color-emoji), else `check` fails.
        f.write('\n[pdf]\nsystem-fonts = true\nfallback-fonts = ["Noto Color Emoji", '
                '"Noto Sans CJK SC", "Noto Sans Devanagari", "Noto Sans Thai", '
                '"Noto Sans Bengali"]\n')
    with open(os.path.join(out, "contributors.toml"), "w", encoding="utf-8") as f:
        f.write('[klabnik]\nname = "Steve Klabnik"\nroles = ["editor", "author"]\n\n'
                '[nichols]\nname = "Carol Nichols"\nroles = ["author"]\n\n'
                '[krycho]\nname = "Chris Krycho"\nroles = ["author"]\n')
    with open(os.path.join(out, ".gitignore"), "w") as f:
        f.write("_book/\n")
    print(f"{out}: {len(files)} chapters from {src}")


if __name__ == "__main__":
    main()

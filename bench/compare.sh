#!/usr/bin/env bash
# bench/compare.sh CORPUS [MDBOOK]: ouvrage against mdBook, typst and
# pandoc + typst, side by side in one run on this machine (issue 7, issue 21,
# README "Speed").
#
# CORPUS is a book made by
#   cargo run --release --example gen-corpus -- CORPUS --chapters 100 --words 400000 --commits 10000
# which also wrote the same chapters as an mdBook in CORPUS-mdbook.
# MDBOOK, when given, is a real mdBook's folder (book.toml and src/SUMMARY.md),
# for instance The Rust Programming Language:
#   git clone https://github.com/rust-lang/book MDBOOK
# It is measured in the same run, on copies in a temporary folder: `mdbook
# build` of a copy (its `[preprocessor.*]` tables other than mdBook's own
# `links` and `index` removed: they run the book's own programs, which
# ouvrage does not) against the ouvrage book `ouvrage import mdbook` makes of
# it (in a git repository of one commit). Its `status` rows are "n/a": an
# imported book has a one-commit history, not the mdBook's.
#
# Installs what it compares when missing, into $OUVRAGE_BENCH_TOOLS
# (default ~/.cache/ouvrage-bench): mdbook 0.5.x and typst-cli 0.15.x with
# `cargo install --locked`, pandoc 3 from PyPI's pypandoc-binary in a venv
# (Debian's pandoc 2.17 has no Typst writer), hyperfine and GNU time from
# apt when missing. Builds ouvrage in release, then prints one table of
# medians and ratios (hyperfine) and of peak memory (/usr/bin/time -v), a
# column of ratios per book.
#
# Environment: RUNS (timed runs of the quick commands, default 10),
# PDF_RUNS (of the PDF commands, default 5), MEM_RUNS (default 3),
# CARGO_TARGET_DIR (default ~/.cache/ouvrage-target), JOBS (cargo -j for the
# tool installs, default 1 so that a shared machine keeps a core).
set -euo pipefail

die() { echo "compare.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: bench/compare.sh CORPUS [MDBOOK]   (a book from examples/gen-corpus.rs, an mdBook's folder)"
[ -f "$1/book.toml" ] || die "$1 has no book.toml: make one with cargo run --release --example gen-corpus -- $1 --chapters 100 --words 400000 --commits 10000"
CORPUS=$(cd "$1" && pwd)
MDBOOK_DIR="$CORPUS-mdbook"
[ -f "$MDBOOK_DIR/src/SUMMARY.md" ] || die "$MDBOOK_DIR/src/SUMMARY.md is missing: gen-corpus writes it beside the book"
[ -d "$CORPUS/.git" ] || die "$CORPUS is not a git repository: generate it with --commits N"
REAL=
if [ $# -eq 2 ]; then
  [ -f "$2/book.toml" ] && [ -f "$2/src/SUMMARY.md" ] ||
    die "$2 is not an mdBook (book.toml and src/SUMMARY.md): git clone https://github.com/rust-lang/book $2"
  REAL=$(cd "$2" && pwd)
fi

REPO=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${OUVRAGE_BENCH_TOOLS:-$HOME/.cache/ouvrage-bench}
RUNS=${RUNS:-10}
PDF_RUNS=${PDF_RUNS:-5}
MEM_RUNS=${MEM_RUNS:-3}
JOBS=${JOBS:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ouvrage-target}
mkdir -p "$TOOLS"
export PATH="$TOOLS/cargo/bin:$PATH"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  say "apt-get install $*"
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# --- tools ------------------------------------------------------------------
command -v hyperfine >/dev/null 2>&1 || apt_install hyperfine
[ -x /usr/bin/time ] || apt_install time
command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
command -v git >/dev/null 2>&1 || die "git is needed"
command -v cargo >/dev/null 2>&1 || die "cargo is needed (rustup)"

cargo_tool() { # cargo_tool CRATE VERSION-REQ BINARY EXPECTED-VERSION-PREFIX
  local crate=$1 req=$2 bin=$3 want=$4
  if [ -x "$TOOLS/cargo/bin/$bin" ] && "$TOOLS/cargo/bin/$bin" --version 2>/dev/null | grep -q "$want"; then
    return
  fi
  say "cargo install $crate --version '$req' --locked (into $TOOLS/cargo; this takes a while on 2 cores)"
  local target
  target=$(mktemp -d /tmp/ouvrage-bench-build.XXXXXX)
  CARGO_TARGET_DIR="$target" cargo install "$crate" --version "$req" --locked \
    --root "$TOOLS/cargo" -j "$JOBS" --quiet
  rm -rf "$target"
  "$TOOLS/cargo/bin/$bin" --version | grep -q "$want" || die "$bin is not $want after installing"
}
# typst-cli links OpenSSL (its downloader): its headers and pkg-config.
if ! { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists openssl; }; then
  [ -x "$TOOLS/cargo/bin/typst" ] || apt_install pkg-config libssl-dev
fi
cargo_tool mdbook '^0.5' mdbook 'mdbook v0\.5\.'
cargo_tool typst-cli '^0.15' typst 'typst 0\.15\.'
MDBOOK="$TOOLS/cargo/bin/mdbook"
TYPST="$TOOLS/cargo/bin/typst"

PANDOC="$TOOLS/venv/pandoc"
if ! { [ -x "$PANDOC" ] && "$PANDOC" --version | head -1 | grep -q '^pandoc 3\.'; }; then
  say "pip install pypandoc-binary (pandoc 3) into $TOOLS/venv"
  python3 -m venv "$TOOLS/venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$TOOLS/venv"; } ||
    die "python3 -m venv failed (apt-get install python3-venv)"
  "$TOOLS/venv/bin/pip" install --quiet --upgrade 'pypandoc-binary>=1.13'
  ln -sf "$("$TOOLS/venv/bin/python" -c 'import pypandoc; print(pypandoc.get_pandoc_path())')" "$PANDOC"
  "$PANDOC" --version | head -1 | grep -q '^pandoc 3\.' || die "pypandoc-binary did not bring pandoc 3"
fi

say "cargo build --release (ouvrage)"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --bin ouvrage
OUVRAGE="$CARGO_TARGET_DIR/release/ouvrage"

# --- inputs -----------------------------------------------------------------
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/ouvrage-compare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
q() { printf '%q' "$1"; }
O=$(q "$OUVRAGE"); W=$(q "$WORK")
BOOKS=(corpus)
[ -n "$REAL" ] && BOOKS+=(mdbook)
# Per book (corpus, mdbook): the ouvrage book, the mdBook `mdbook build`
# builds, the typst compile of the emitted Typst, pandoc's command and the
# typst compile of its output.
declare -A OB MB EMITTED PANDOC_CMD PANDOC_TYPST

# mdbook_build DIR: once before measuring, to fail early.
mdbook_build() {
  "$MDBOOK" build "$1" >"$WORK/mdbook.log" 2>&1 || die "mdbook build $1 failed: $(tail -5 "$WORK/mdbook.log")"
}

# typst_cmd BOOK: typst compile with the fonts the ouvrage BOOK gives Typst:
# the embedded ones, the book's fonts/, the system's only with
# `system-fonts = true` (ouvrage does not scan them otherwise).
typst_cmd() {
  local cmd
  cmd=$(q "$TYPST")" compile"
  grep -q '^system-fonts *= *true' "$1/book.toml" || cmd+=" --ignore-system-fonts"
  [ -d "$1/fonts" ] && cmd+=" --font-path $(q "$1/fonts")"
  printf '%s' "$cmd"
}
# toml BOOK-TOML TABLE KEY: a string value of book.toml, empty when absent.
toml() {
  python3 -c 'import sys, tomllib
v = tomllib.load(open(sys.argv[1], "rb")).get(sys.argv[2], {}).get(sys.argv[3], "")
print(v if isinstance(v, str) else "")' "$@"
}
# emit BOOK NAME: `ouvrage build --pdf --emit-typst` of BOOK into WORK/NAME,
# the command that compiles it into WORK/NAME.pdf in EMITTED[NAME].
emit() {
  local b=$1 name=$2 f
  "$OUVRAGE" -q --book "$b" build --pdf --emit-typst "$WORK/$name"
  [ -f "$WORK/$name/__ouvrage/main.typ" ] || die "no $WORK/$name/__ouvrage/main.typ after --emit-typst"
  # --emit-typst copies the bibliography and the style it reads; a copy
  # beside it, when missing, is harmless.
  for f in "$b"/*.bib "$b"/*.csl; do
    [ -f "$f" ] && [ ! -e "$WORK/$name/$(basename "$f")" ] && cp "$f" "$WORK/$name/"
  done
  EMITTED[$name]="$(typst_cmd "$b") --root $W/$name $W/$name/__ouvrage/main.typ $W/$name.pdf"
  bash -c "${EMITTED[$name]}" || die "typst compile failed on the Typst emitted for $b"
}
# pandoc_cmds KEY DIR BOOK-TOML FROM: pandoc (Markdown → Typst, -s for its
# template) on DIR/book.md with the language, title and paper of BOOK-TOML,
# Libertinus Serif as ouvrage's default, --citeproc when the book has a
# bibliography (Chicago author-date, pandoc's default, as the corpus asks);
# then typst compile of its output.
pandoc_cmds() {
  local key=$1 dir=$2 toml_file=$3 from=$4 lang title paper cite='' f
  lang=$(toml "$toml_file" book language); lang=${lang:-en}
  title=$(toml "$toml_file" book title)
  paper=$(toml "$toml_file" pdf paper)
  for f in $(python3 -c 'import sys, tomllib
print(" ".join(tomllib.load(open(sys.argv[1], "rb")).get("bibliography", {}).get("files", [])))' "$toml_file"); do
    cite+=" --citeproc --bibliography $(q "$f")"
  done
  PANDOC_CMD[$key]="cd $(q "$dir") && $(q "$PANDOC") book.md -f $from -t typst -s$cite \
-M lang=$(q "$lang") -M title=$(q "$title")${paper:+ -V papersize=$(q "$paper")} \
-V mainfont='Libertinus Serif' -o book.typ 2>/dev/null"
  PANDOC_TYPST[$key]="$(typst_cmd "${OB[$key]}") --root $(q "$dir") $(q "$dir/book.typ") $(q "$dir/book.pdf")"
  bash -c "${PANDOC_CMD[$key]}" || die "pandoc failed on the concatenated chapters of ${OB[$key]}"
  bash -c "${PANDOC_TYPST[$key]}" || die "typst compile failed on pandoc's output for ${OB[$key]}"
}

# The corpus: ouvrage's book in place, its mdBook twin.
OB[corpus]=$CORPUS
MB[corpus]="$CORPUS-mdbook"
mdbook_build "${MB[corpus]}"
say "ouvrage check (corpus)"
"$OUVRAGE" -q --book "$CORPUS" check || die "the corpus does not pass ouvrage check"
say "ouvrage build --pdf --emit-typst (corpus: the Typst that typst compile gets)"
emit "$CORPUS" typ

# `[pdf] citations = "text"` is the default: the option, `citations = "typst"`
# (Typst's own citation engine), measured on a copy of the corpus.
say "a copy of the corpus with [pdf] citations = \"typst\" (Typst's citation engine, the option)"
cp -r "$CORPUS" "$WORK/typst-book"
grep -q '^citations *=' "$WORK/typst-book/book.toml" && die "$CORPUS/book.toml sets [pdf] citations already"
sed -i '0,/^\[pdf\]$/s//[pdf]\ncitations = "typst"/' "$WORK/typst-book/book.toml"
grep -q '^citations = "typst"$' "$WORK/typst-book/book.toml" || die "no [pdf] section in $CORPUS/book.toml"
emit "$WORK/typst-book" typ-typst

say "the corpus's chapters in reading order for pandoc (the mdBook twin's copies: no front matter, # Title)"
mkdir -p "$WORK/pandoc"
[ -d "$MDBOOK_DIR/src/images" ] && cp -r "$MDBOOK_DIR/src/images" "$WORK/pandoc/images"
cp "$CORPUS"/*.bib "$WORK/pandoc/"
: >"$WORK/pandoc/book.md"
grep -o '([^()]*\.md)' "$MDBOOK_DIR/src/SUMMARY.md" | tr -d '()' | while read -r f; do
  cat "$MDBOOK_DIR/src/$f" >>"$WORK/pandoc/book.md"
  printf '\n' >>"$WORK/pandoc/book.md"
done
pandoc_cmds corpus "$WORK/pandoc" "$CORPUS/book.toml" markdown

# The real mdBook: a copy for mdbook build, the ouvrage book made by the import.
if [ -n "$REAL" ]; then
  say "a copy of $REAL for mdbook build (without the book's own preprocessors)"
  mkdir "$WORK/mdbook-src"
  find "$REAL" -mindepth 1 -maxdepth 1 ! -name .git ! -name book -exec cp -a {} "$WORK/mdbook-src/" \;
  awk '/^\[/ { skip = ($0 ~ /^\[preprocessor\./ && $0 !~ /^\[preprocessor\.(links|index)\]/) } !skip' \
    "$REAL/book.toml" >"$WORK/mdbook-src/book.toml"
  MB[mdbook]="$WORK/mdbook-src"
  mdbook_build "${MB[mdbook]}"

  say "ouvrage import mdbook $REAL (into a git repository of one commit)"
  "$OUVRAGE" -q import mdbook "$REAL" --into "$WORK/imported" ${SITE_URL:+--site-url "$SITE_URL"} >&2 ||
    die "ouvrage import mdbook $REAL failed"
  git -C "$WORK/imported" init -q
  git -C "$WORK/imported" add -A
  git -C "$WORK/imported" -c user.name=bench -c user.email=bench@example.invalid commit -q -m "import"
  OB[mdbook]="$WORK/imported"
  say "ouvrage check (the imported mdBook)"
  "$OUVRAGE" -q --book "$WORK/imported" check || die "the imported $REAL does not pass ouvrage check"
  say "ouvrage build --pdf --emit-typst (the imported mdBook)"
  emit "$WORK/imported" typ-mdbook

  # The import expanded the mdBook's {{#include}}s; each chapter's title is
  # in its front matter, given to pandoc as `# Title` in its place.
  say "the imported chapters in reading order for pandoc (no front matter, # Title)"
  mkdir -p "$WORK/pandoc-mdbook"
  find "$WORK/imported/chapters" -mindepth 1 -maxdepth 1 ! -name '*.md' -exec cp -a {} "$WORK/pandoc-mdbook/" \;
  python3 - "$WORK/imported" >"$WORK/pandoc-mdbook/book.md" <<'PY' || die "could not concatenate the imported chapters"
import json, pathlib, re, sys, tomllib
book = pathlib.Path(sys.argv[1])
config = tomllib.load(open(book / "book.toml", "rb"))
chapters = {}
for path in sorted((book / "chapters").rglob("*.md")):
    text = path.read_text()
    meta, body = {}, text
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if m:
        body = text[m.end():]
        for line in m.group(1).splitlines():
            k, _, v = line.partition(":")
            v = v.strip()
            if v.startswith('"'):
                v = json.loads(v)
            elif v.startswith("'") and v.endswith("'"):
                v = v[1:-1].replace("''", "'")
            meta[k.strip()] = v
    # ouvrage's ids: the front matter's `id`, else the file name without its number prefix.
    cid = meta.get("id") or re.sub(r"^[0-9]+-", "", path.stem)
    chapters[cid] = (meta.get("title", ""), body)
order = config.get("book", {}).get("chapters") or list(chapters)
for part in config.get("part", []):
    order += [c for c in part.get("chapters", []) if c not in order]
for cid in order:
    title, body = chapters[cid]
    # mdBook's anchors, raw HTML that pandoc's Typst drops, as pandoc's
    # empty spans (Typst labels): typst compile fails on links to a label
    # that is not there.
    body = re.sub(r'<a id="([^"]+)"></a>', r"[]{#\1}", body)
    print(f"# {title}\n" if title else "", body, sep="\n")
PY
  from=markdown
  # `math = "none"`: `$` is a dollar sign for ouvrage, so for pandoc too.
  grep -q '^math *= *"none"' "$WORK/imported/book.toml" && from=markdown-tex_math_dollars
  pandoc_cmds mdbook "$WORK/pandoc-mdbook" "$WORK/imported/book.toml" "$from"
fi

# --- times ------------------------------------------------------------------
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"; }
bench() { # bench NAME RUNS CMD...
  local name=$1 runs=$2
  shift 2
  say "hyperfine: $name"
  hyperfine --shell=bash --style basic --warmup 1 --runs "$runs" --export-json "$WORK/$name.json" "$@" >&2
}
FIGURES="$WORK/figures.txt"
: >"$FIGURES"
fig() { echo "$1 $2" >>"$FIGURES"; } # fig NAME VALUE, for the table

for k in "${BOOKS[@]}"; do
  B=$(q "${OB[$k]}"); M=$(q "${MB[$k]}")
  bench "html-$k" "$RUNS" -n "ouvrage build --html ($k)" "$O -q --book $B build --html" \
    -n "mdbook build ($k)" "$(q "$MDBOOK") build $M"
  bench "html-cold-$k" "$RUNS" --prepare "rm -f $B/.git/ouvrage/citations.json" \
    -n "ouvrage build --html, no citation store ($k)" "$O -q --book $B build --html"
  fig "$k.html" "$(median "$WORK/html-$k.json" 0)"
  fig "$k.mdbook" "$(median "$WORK/html-$k.json" 1)"
  fig "$k.html_cold" "$(median "$WORK/html-cold-$k.json" 0)"

  typ=typ; [ "$k" = corpus ] || typ="typ-$k"
  set -- -n "ouvrage build --pdf ($k)" "$O -q --book $B build --pdf" \
    -n "typst compile, emitted ($k)" "${EMITTED[$typ]}" \
    -n "pandoc → typst compile ($k)" "bash -c $(q "${PANDOC_CMD[$k]} && ${PANDOC_TYPST[$k]}")" \
    -n "pandoc alone ($k)" "bash -c $(q "${PANDOC_CMD[$k]}")" \
    -n "typst compile, pandoc's ($k)" "${PANDOC_TYPST[$k]}"
  [ "$k" = corpus ] && set -- "$@" \
    -n "ouvrage build --pdf, citations = \"typst\"" "$O -q --book $W/typst-book build --pdf" \
    -n "typst compile, emitted, citations = \"typst\"" "${EMITTED[typ-typst]}"
  bench "pdf-$k" "$PDF_RUNS" "$@"
  i=0
  for name in pdf emitted pandoc_typst pandoc typst_of_pandoc pdf_typst emitted_typst; do
    [ "$k" = corpus ] || [ "$i" -lt 5 ] || break
    fig "$k.$name" "$(median "$WORK/pdf-$k.json" "$i")"
    i=$((i + 1))
  done
done

# `status` on the corpus only: an imported book has one commit.
B=$(q "$CORPUS")
GITLOG="git -C $B log --format=%H%x00%ae%x00%B -- chapters"
bench status "$RUNS" -n "ouvrage status" "$O -q --book $B status" \
  -n "git log" "$GITLOG"
bench status-cold "$RUNS" --prepare "rm -rf $B/.git/ouvrage" \
  -n "ouvrage status (no cache)" "$O -q --book $B status"
fig corpus.status "$(median "$WORK/status.json" 0)"
fig corpus.gitlog "$(median "$WORK/status.json" 1)"
fig corpus.status_cold "$(median "$WORK/status-cold.json" 0)"

# --- peak memory --------------------------------------------------------------
peak() { # peak NAME CMD: median of MEM_RUNS maximum resident set sizes, in MiB
  local name=$1 cmd=$2 i
  say "peak memory: $name"
  for i in $(seq "$MEM_RUNS"); do
    /usr/bin/time -v bash -c "$cmd" >/dev/null 2>"$WORK/time-$name-$i.txt" ||
      die "$name failed: $(tail -5 "$WORK/time-$name-$i.txt")"
    sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time-$name-$i.txt"
  done | sort -n | awk '{ v[NR] = $1 } END { printf "%.0f\n", v[int((NR + 1) / 2)] / 1024 }'
}
for k in "${BOOKS[@]}"; do
  typ=typ; [ "$k" = corpus ] || typ="typ-$k"
  fig "$k.mem_build" "$(peak "build-$k" "exec $O -q --book $(q "${OB[$k]}") build")"
  fig "$k.mem_typst" "$(peak "typst-$k" "exec ${EMITTED[$typ]}")"
  fig "$k.mem_mdbook" "$(peak "mdbook-$k" "exec $(q "$MDBOOK") build $(q "${MB[$k]}")")"
  fig "$k.mem_pandoc" "$(peak "pandoc-$k" "${PANDOC_CMD[$k]}")"
  fig "$k.mem_pandoc_typst" "$(peak "pandoc-typst-$k" "exec ${PANDOC_TYPST[$k]}")"
done

# --- table --------------------------------------------------------------------
REAL_NAME=
[ -n "$REAL" ] && REAL_NAME=$(toml "$REAL/book.toml" book title)
python3 - "$FIGURES" "$(basename "$CORPUS")" "${REAL_NAME:-$(basename "${REAL:-x}")}" "${#BOOKS[@]}" <<'PY'
import sys
figs = dict(line.split() for line in open(sys.argv[1]))
names = {"corpus": f"generated corpus ({sys.argv[2]})", "mdbook": sys.argv[3]}
books = ["corpus", "mdbook"][: int(sys.argv[4])]
def get(k, name):
    v = figs.get(f"{k}.{name}")
    return None if v is None else float(v)
def secs(v, digits):
    return f"{v:.{digits}f} s"
def mib(v):
    return f"{v:.0f} MiB"
# (what, ouvrage figure, reference figure, format, target)
rows = [
    ("`build --html` / `mdbook build` (citations formatted by the last build)", "html", "mdbook", lambda v: secs(v, 3), 0.5),
    ("`build --html` / `mdbook build` (citation store removed each run)", "html_cold", "mdbook", lambda v: secs(v, 3), 0.5),
    ("`build --pdf` / `typst compile` of the emitted Typst", "pdf", "emitted", lambda v: secs(v, 2), 1.1),
    ("`build --pdf` / (pandoc → `typst compile`)", "pdf", "pandoc_typst", lambda v: secs(v, 2), 0.5),
    ("`build --pdf`, `[pdf] citations = \"typst\"` (the option) / `typst compile` of its emitted Typst", "pdf_typst", "emitted_typst", lambda v: secs(v, 2), 1.1),
    ("`build --pdf`, `[pdf] citations = \"typst\"` (the option) / (pandoc → `typst compile`)", "pdf_typst", "pandoc_typst", lambda v: secs(v, 2), 0.5),
    ("`status` / `git log` (warm history cache)", "status", "gitlog", lambda v: secs(v, 3), 1.0),
    ("`status` / `git log` (cache removed each run)", "status_cold", "gitlog", lambda v: secs(v, 3), 1.0),
    ("peak memory `build` (all formats) / `typst compile` of the emitted", "mem_build", "mem_typst", mib, 1.2),
]
head = "| what |" + "".join(f" {names[b]}: ouvrage / reference | ratio | |" for b in books) + " target |"
print(head)
print("|---|" + "---:|---:|---|" * len(books) + "---:|")
for what, a, r, fmt, target in rows:
    cells = ""
    for b in books:
        x, y = get(b, a), get(b, r)
        if x is None or y is None:
            cells += " n/a | | |"
        else:
            ratio = x / y
            cells += f" {fmt(x)} / {fmt(y)} | {ratio:.2f} | {'met' if ratio <= target else 'missed'} |"
    print(f"| {what} |{cells} ≤ {target} |")
print()
print("| for reference: median / peak |" + "".join(f" {names[b]} |" for b in books))
print("|---|" + "---:|" * len(books))
for what, t, m, digits in [
    ("pandoc alone (Markdown → Typst; --citeproc when the book has a bibliography)", "pandoc", "mem_pandoc", 2),
    ("`typst compile` of pandoc's Typst", "typst_of_pandoc", "mem_pandoc_typst", 2),
    ("`mdbook build`", "mdbook", "mem_mdbook", 3),
]:
    print(f"| {what} |" + "".join(f" {secs(get(b, t), digits)}, {mib(get(b, m))} |" for b in books))
PY
echo
echo "ouvrage $(git -C "$REPO" rev-parse --short HEAD), $("$MDBOOK" --version), $("$TYPST" --version | head -1), $("$PANDOC" --version | head -1), $(hyperfine --version)"
echo "$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GiB, load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end; runs: $RUNS (html, status), $PDF_RUNS (pdf), $MEM_RUNS (memory)"

#!/usr/bin/env bash
# bench/compare.sh CORPUS: ouvrage against mdBook, typst and pandoc + typst,
# side by side in one run on this machine (issue 7, README "Speed").
#
# CORPUS is a book made by
#   cargo run --release --example gen-corpus -- CORPUS --chapters 100 --words 400000 --commits 10000
# which also wrote the same chapters as an mdBook in CORPUS-mdbook.
#
# Installs what it compares when missing, into $OUVRAGE_BENCH_TOOLS
# (default ~/.cache/ouvrage-bench): mdbook 0.5.x and typst-cli 0.15.x with
# `cargo install --locked`, pandoc 3 from PyPI's pypandoc-binary in a venv
# (Debian's pandoc 2.17 has no Typst writer), hyperfine and GNU time from
# apt when missing. Builds ouvrage in release, then prints one table of
# medians and ratios (hyperfine) and of peak memory (/usr/bin/time -v).
#
# Environment: RUNS (timed runs of the quick commands, default 10),
# PDF_RUNS (of the PDF commands, default 5), MEM_RUNS (default 3),
# CARGO_TARGET_DIR (default ~/.cache/ouvrage-target), JOBS (cargo -j for the
# tool installs, default 1 so that a shared machine keeps a core).
set -euo pipefail

die() { echo "compare.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ $# -eq 1 ] || die "usage: bench/compare.sh CORPUS   (a book from examples/gen-corpus.rs)"
[ -f "$1/book.toml" ] || die "$1 has no book.toml: make one with cargo run --release --example gen-corpus -- $1 --chapters 100 --words 400000 --commits 10000"
CORPUS=$(cd "$1" && pwd)
MDBOOK_DIR="$CORPUS-mdbook"
[ -f "$MDBOOK_DIR/src/SUMMARY.md" ] || die "$MDBOOK_DIR/src/SUMMARY.md is missing: gen-corpus writes it beside the book"
[ -d "$CORPUS/.git" ] || die "$CORPUS is not a git repository: generate it with --commits N"

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
WORK=$(mktemp -d /tmp/ouvrage-compare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
q() { printf '%q' "$1"; }
O=$(q "$OUVRAGE"); B=$(q "$CORPUS"); M=$(q "$MDBOOK_DIR"); W=$(q "$WORK")
T="$(q "$TYPST") compile --ignore-system-fonts"

say "ouvrage check"
"$OUVRAGE" -q --book "$CORPUS" check || die "the corpus does not pass ouvrage check"

say "ouvrage build --pdf --emit-typst (the Typst that typst compile gets)"
"$OUVRAGE" -q --book "$CORPUS" build --pdf --emit-typst "$WORK/typ"
[ -f "$WORK/typ/__ouvrage/main.typ" ] || die "no $WORK/typ/__ouvrage/main.typ after --emit-typst"
# --emit-typst copies the images but not the bibliography the sources read
# (`bibliography("/references.bib")`): copy the book's .bib and .csl files.
for f in "$CORPUS"/*.bib "$CORPUS"/*.csl; do
  [ -f "$f" ] && [ ! -e "$WORK/typ/$(basename "$f")" ] && cp "$f" "$WORK/typ/"
done
EMITTED="$T --root $W/typ $W/typ/__ouvrage/main.typ $W/emitted.pdf"

say "a copy of the corpus with [pdf] citations = \"text\" (citations and lists as ouvrage's text)"
cp -r "$CORPUS" "$WORK/text-book"
sed -i '0,/^\[pdf\]$/s//[pdf]\ncitations = "text"/' "$WORK/text-book/book.toml"
grep -q '^citations = "text"$' "$WORK/text-book/book.toml" || die "no [pdf] section in $CORPUS/book.toml"
"$OUVRAGE" -q --book "$WORK/text-book" build --pdf --emit-typst "$WORK/typ-text"
TB="$W/text-book"
EMITTED_TEXT="$T --root $W/typ-text $W/typ-text/__ouvrage/main.typ $W/emitted-text.pdf"

say "the chapters in reading order for pandoc (the mdBook's copies: no front matter, # Title)"
mkdir -p "$WORK/pandoc"
cp -r "$MDBOOK_DIR/src/images" "$WORK/pandoc/images"
cp "$CORPUS/references.bib" "$WORK/pandoc/references.bib"
: >"$WORK/pandoc/book.md"
grep -o '([^()]*\.md)' "$MDBOOK_DIR/src/SUMMARY.md" | tr -d '()' | while read -r f; do
  cat "$MDBOOK_DIR/src/$f" >>"$WORK/pandoc/book.md"
  printf '\n' >>"$WORK/pandoc/book.md"
done
TITLE=$(sed -n 's/^title = "\(.*\)"$/\1/p' "$CORPUS/book.toml" | head -1)
# --citeproc formats the citations (Chicago author-date, pandoc's default, as
# the corpus's book.toml asks); -s gives pandoc's Typst template.
PANDOC_CMD="cd $W/pandoc && $(q "$PANDOC") book.md -f markdown -t typst -s --citeproc \
--bibliography references.bib -M lang=fr -M title=$(q "$TITLE") -V papersize=a5 \
-V mainfont='Libertinus Serif' -o book.typ 2>/dev/null"
PANDOC_TYPST="$T --root $W/pandoc $W/pandoc/book.typ $W/pandoc/book.pdf"
bash -c "$PANDOC_CMD" || die "pandoc failed on the concatenated chapters"
bash -c "$PANDOC_TYPST" || die "typst compile failed on pandoc's output"
bash -c "$EMITTED" || die "typst compile failed on the emitted Typst"
bash -c "$EMITTED_TEXT" || die "typst compile failed on the emitted Typst (citations as text)"
"$MDBOOK" build "$MDBOOK_DIR" >/dev/null 2>&1 || die "mdbook build failed"

# --- times ------------------------------------------------------------------
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"; }
bench() { # bench NAME RUNS CMD...
  local name=$1 runs=$2
  shift 2
  say "hyperfine: $name"
  hyperfine --shell=bash --style basic --warmup 1 --runs "$runs" --export-json "$WORK/$name.json" "$@" >&2
}

bench html "$RUNS" -n "ouvrage build --html" "$O -q --book $B build --html" \
  -n "mdbook build" "$(q "$MDBOOK") build $M"
bench html-cold "$RUNS" --prepare "rm -f $B/.git/ouvrage/citations.json" \
  -n "ouvrage build --html (no citation store)" "$O -q --book $B build --html"
bench pdf "$PDF_RUNS" -n "ouvrage build --pdf" "$O -q --book $B build --pdf" \
  -n "typst compile (emitted)" "$EMITTED" \
  -n "pandoc → typst compile" "bash -c $(q "$PANDOC_CMD && $PANDOC_TYPST")" \
  -n "pandoc alone" "bash -c $(q "$PANDOC_CMD")" \
  -n "typst compile (pandoc's)" "$PANDOC_TYPST" \
  -n "ouvrage build --pdf (citations as text)" "$O -q --book $TB build --pdf" \
  -n "typst compile (emitted, citations as text)" "$EMITTED_TEXT"
GITLOG="git -C $B log --format=%H%x00%ae%x00%B -- chapters"
bench status "$RUNS" -n "ouvrage status" "$O -q --book $B status" \
  -n "git log" "$GITLOG"
bench status-cold "$RUNS" --prepare "rm -rf $B/.git/ouvrage" \
  -n "ouvrage status (no cache)" "$O -q --book $B status"

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
MEM_BUILD=$(peak build "exec $O -q --book $B build")
MEM_TYPST=$(peak typst "exec $EMITTED")
MEM_MDBOOK=$(peak mdbook "exec $(q "$MDBOOK") build $M")
MEM_PANDOC=$(peak pandoc "$PANDOC_CMD")
MEM_PANDOC_TYPST=$(peak pandoc-typst "exec $PANDOC_TYPST")

# --- table --------------------------------------------------------------------
H=$(median "$WORK/html.json" 0); MD=$(median "$WORK/html.json" 1)
P=$(median "$WORK/pdf.json" 0); TE=$(median "$WORK/pdf.json" 1); PT=$(median "$WORK/pdf.json" 2)
PA=$(median "$WORK/pdf.json" 3); TP=$(median "$WORK/pdf.json" 4)
PX=$(median "$WORK/pdf.json" 5); TX=$(median "$WORK/pdf.json" 6)
S=$(median "$WORK/status.json" 0); G=$(median "$WORK/status.json" 1)
SC=$(median "$WORK/status-cold.json" 0)
HC=$(median "$WORK/html-cold.json" 0)

python3 - "$H" "$MD" "$P" "$TE" "$PT" "$PA" "$TP" "$S" "$G" "$SC" "$HC" "$PX" "$TX" \
  "$MEM_BUILD" "$MEM_TYPST" "$MEM_MDBOOK" "$MEM_PANDOC" "$MEM_PANDOC_TYPST" <<'EOF'
import sys
h, md, p, te, pt, pa, tp, s, g, sc, hc, px, tx, mb, mt, mm, mp, mpt = map(float, sys.argv[1:])
rows = [
    ("`build --html` / `mdbook build` (citations formatted by the last build)", f"{h:.3f} s", f"{md:.3f} s", h / md, 0.5),
    ("`build --html` / `mdbook build` (citation store removed each run)", f"{hc:.3f} s", f"{md:.3f} s", hc / md, 0.5),
    ("`build --pdf` / `typst compile` of the emitted Typst", f"{p:.2f} s", f"{te:.2f} s", p / te, 1.1),
    ("`build --pdf` / (pandoc → `typst compile`)", f"{p:.2f} s", f"{pt:.2f} s", p / pt, 0.5),
    ("`build --pdf`, `[pdf] citations = \"text\"` / `typst compile` of its emitted Typst", f"{px:.2f} s", f"{tx:.2f} s", px / tx, 1.1),
    ("`build --pdf`, `[pdf] citations = \"text\"` / (pandoc → `typst compile`)", f"{px:.2f} s", f"{pt:.2f} s", px / pt, 0.5),
    ("`status` / `git log` (warm history cache)", f"{s:.3f} s", f"{g:.3f} s", s / g, 1.0),
    ("`status` / `git log` (cache removed each run)", f"{sc:.3f} s", f"{g:.3f} s", sc / g, 1.0),
    ("peak memory `build` (all formats) / `typst compile` of the emitted", f"{mb:.0f} MiB", f"{mt:.0f} MiB", mb / mt, 1.2),
]
print("| what | ouvrage | reference | ratio | target | |")
print("|---|---:|---:|---:|---:|---|")
for what, a, b, r, t in rows:
    print(f"| {what} | {a} | {b} | {r:.2f} | ≤ {t} | {'met' if r <= t else 'missed'} |")
print()
print("| for reference | median / peak |")
print("|---|---:|")
print(f"| pandoc alone (Markdown → Typst, citeproc) | {pa:.2f} s, {mp:.0f} MiB |")
print(f"| `typst compile` of pandoc's Typst | {tp:.2f} s, {mpt:.0f} MiB |")
print(f"| `mdbook build` | {md:.3f} s, {mm:.0f} MiB |")
EOF
echo
echo "ouvrage $(git -C "$REPO" rev-parse --short HEAD), $("$MDBOOK" --version), $("$TYPST" --version | head -1), $("$PANDOC" --version | head -1), $(hyperfine --version)"
echo "$(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GiB; runs: $RUNS (html, status), $PDF_RUNS (pdf), $MEM_RUNS (memory)"

#!/usr/bin/env bash
# bench/watch.sh CORPUS MDBOOK: `ouvrage watch` through an editor's working
# day (issue 27), on two books in one run, beside cold builds of the same
# books on the same machine.
#
# CORPUS is the benchmark book of the README's "Speed" section (a git repository):
#   cargo run --release --example gen-corpus -- CORPUS --chapters 100 --words 400000 --commits 10000
# MDBOOK is a real mdBook's folder (its src/SUMMARY.md), for instance The
# Rust Programming Language: `git clone https://github.com/rust-lang/book`.
# It is turned into an ouvrage book by `ouvrage import mdbook` (links that
# leave the book made absolute under doc.rust-lang.org/book/), in a git
# repository of its own.
#
# For each book, on a copy in a temporary folder: the medians of a cold
# `build --html`, `build --pdf --draft` (with line numbers, which `watch`
# adds only when asked) and `build --pdf` (hyperfine), their peak memory (/usr/bin/time -v), then
# examples/watch-latency.rs: paragraph edits with the builder idle (site
# page, SVG preview, PDF written), a save every 1.5 s (site page), title
# and contributor edits (preview, PDF written), and the peak memory of
# `watch` after those metadata edits. One table of figures and ratios.
#
# Environment: RUNS (hyperfine runs of `build --html`, default 10),
# PDF_RUNS (of the PDF builds, default 3), ROUNDS (idle paragraph edits,
# default 5), AUTOSAVE (saves 1.5 s apart, default 10), METADATA (title
# edits, and as many contributor edits, default 10: 20 metadata edits),
# CORPUS_METADATA (the same for the generated corpus, whose each metadata
# edit is a whole retypeset of 1,866 pages; default METADATA),
# BOOKS (`corpus mdbook` by default; one of them to measure it alone, the
# table then has its column only), CARGO_TARGET_DIR.
set -euo pipefail

die() { echo "watch.sh: $*" >&2; exit 1; }
say() { echo "== $*" >&2; }

[ $# -eq 2 ] || die "usage: bench/watch.sh CORPUS MDBOOK"
[ -f "$1/book.toml" ] || die "$1 has no book.toml: cargo run --release --example gen-corpus -- $1 --chapters 100 --words 400000 --commits 10000"
[ -f "$2/src/SUMMARY.md" ] || die "$2/src/SUMMARY.md is missing: give an mdBook's folder (git clone https://github.com/rust-lang/book)"
command -v hyperfine >/dev/null || die "hyperfine is needed (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "GNU time is needed (apt-get install time)"
CORPUS=$(cd "$1" && pwd)
MDBOOK=$(cd "$2" && pwd)
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-10}
PDF_RUNS=${PDF_RUNS:-3}
ROUNDS=${ROUNDS:-5}
AUTOSAVE=${AUTOSAVE:-10}
METADATA=${METADATA:-10}
CORPUS_METADATA=${CORPUS_METADATA:-$METADATA}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ouvrage-target}

say "cargo build --release (ouvrage, examples/watch-latency.rs)"
cargo build --release --quiet --manifest-path "$REPO/Cargo.toml" --bin ouvrage --example watch-latency
OUVRAGE="$CARGO_TARGET_DIR/release/ouvrage"
LATENCY="$CARGO_TARGET_DIR/release/examples/watch-latency"

WORK=$(mktemp -d /tmp/ouvrage-watch-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

say "copies of the books"
cp -a "$CORPUS" "$WORK/corpus"
"$OUVRAGE" -q import mdbook "$MDBOOK" --into "$WORK/mdbook" \
  --site-url https://doc.rust-lang.org/book/ >&2 || die "ouvrage import mdbook $MDBOOK failed"
git -C "$WORK/mdbook" init -q
git -C "$WORK/mdbook" add -A
git -C "$WORK/mdbook" -c user.name=bench -c user.email=bench@example.invalid commit -q -m "import"

peak() { # peak CMD...: maximum resident set size, MiB
  /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.txt" || die "$* failed: $(tail -5 "$WORK/time.txt")"
  sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt" | awk '{ printf "%.0f\n", $1 / 1024 }'
}
median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"; }

for name in ${BOOKS:-corpus mdbook}; do
  B="$WORK/$name"
  "$OUVRAGE" -q --book "$B" check || die "$name does not pass ouvrage check"
  chapters=$(cd "$B" && ls chapters/*.md | wc -l)
  chapter=$(cd "$B" && ls chapters/*.md | sed -n "$(( (chapters + 1) / 2 ))p")
  say "$name: cold builds (hyperfine)"
  hyperfine --style basic --warmup 1 --runs "$RUNS" --export-json "$WORK/$name-html.json" \
    -n "build --html" "$OUVRAGE -q --book $B build --html" >&2
  hyperfine --style basic --warmup 1 --runs "$PDF_RUNS" --export-json "$WORK/$name-pdf.json" \
    -n "build --pdf --draft" "$OUVRAGE -q --book $B build --pdf --draft" \
    -n "build --pdf" "$OUVRAGE -q --book $B build --pdf" >&2
  say "$name: peak memory of the cold builds"
  peak "$OUVRAGE" -q --book "$B" build --pdf --draft >"$WORK/$name-peak-draft"
  peak "$OUVRAGE" -q --book "$B" build --pdf >"$WORK/$name-peak-pdf"
  pages=$(python3 - "$B" <<'EOF'
import glob, re, sys
pdf = max(glob.glob(sys.argv[1] + "/_book/*.pdf"), key=lambda p: len(open(p, "rb").read()))
print(len(re.findall(rb"/Type\s*/Page[^s]", open(pdf, "rb").read())))
EOF
)
  echo "$pages" >"$WORK/$name-pages"
  rm -rf "$B/_book"
  metadata=$METADATA
  [ "$name" = corpus ] && metadata=$CORPUS_METADATA
  say "$name: watch ($chapter)"
  "$LATENCY" "$B" "$chapter" --ouvrage "$OUVRAGE" --rounds "$ROUNDS" --autosave "$AUTOSAVE" \
    --metadata "$metadata" --json "$WORK/$name-watch.json" --log "$WORK/$name-watch.log" >&2
  cp "$WORK/$name-watch.log" "$WORK/$name-watch.json" "${BENCH_KEEP:-/tmp}/" 2>/dev/null || true
done

python3 - "$WORK" <<'EOF'
import json, sys
work = sys.argv[1]
def load(name):
    h = json.load(open(f"{work}/{name}-html.json"))["results"][0]["median"]
    p = json.load(open(f"{work}/{name}-pdf.json"))["results"]
    w = json.load(open(f"{work}/{name}-watch.json"))
    return {
        "html": h * 1000, "draft": p[0]["median"] * 1000, "pdf": p[1]["median"] * 1000,
        "peak_draft": float(open(f"{work}/{name}-peak-draft").read()),
        "peak_pdf": float(open(f"{work}/{name}-peak-pdf").read()),
        "pages": open(f"{work}/{name}-pages").read().strip(), "w": w,
    }
import os
names = {"corpus": "generated corpus", "mdbook": "The Rust Programming Language"}
books = [(names[n], load(n)) for n in os.environ.get("BOOKS", "corpus mdbook").split()]
def ms(v): return f"{v:,.0f} ms"
print("| what | " + " | ".join(f"{n} ({b['pages']} pages)" for n, b in books) + " | target |")
print("|---|" + "---:|" * len(books) + "---|")
def row(what, cell, target=""):
    print(f"| {what} | " + " | ".join(cell(b) for _, b in books) + f" | {target} |")
row("cold `build --html`", lambda b: ms(b["html"]))
row("cold `build --pdf --draft` (line numbers) / `build --pdf`", lambda b: f"{ms(b['draft'])} / {ms(b['pdf'])}")
row("paragraph, builder idle: site page / SVG preview / PDF written",
    lambda b: " / ".join(ms(b["w"]["paragraph"][k]) for k in ("site_ms", "svg_ms", "pdf_ms")))
row("SVG preview of a paragraph edit / cold `build --pdf`",
    lambda b: f"{b['w']['paragraph']['svg_ms'] / b['pdf']:.2f}", "far below 1")
row("a save every 1.5 s: site page", lambda b: ms(b["w"]["autosave"]["site_ms"]))
row("a save every 1.5 s: site page / cold `build --html`",
    lambda b: f"{b['w']['autosave']['site_ms'] / b['html']:.2f}", "≤ 0.25")
for key, what in (("title", "`book.toml` title"), ("contributors", "`contributors.toml` name")):
    row(f"{what}: preview / PDF written",
        lambda b, k=key: f"{ms(b['w'][k]['preview_ms'])} / {ms(b['w'][k]['pdf_ms'])}")
    row(f"{what}: preview / cold `build --pdf`",
        lambda b, k=key: f"{b['w'][k]['preview_ms'] / b['pdf']:.2f}", "≤ 1")
row("peak memory: cold `build --pdf --draft` / `build --pdf`",
    lambda b: f"{b['peak_draft']:,.0f} / {b['peak_pdf']:,.0f} MiB")
row("peak memory of `watch` after its metadata edits",
    lambda b: f"{b['w']['memory_mib']['peak']:,.0f} MiB after {b['w']['memory_mib']['metadata_edits']} (resident then {b['w']['memory_mib']['resident']:,.0f})")
row("peak memory of `watch` / cold `build --pdf`",
    lambda b: f"{b['w']['memory_mib']['peak'] / b['peak_pdf']:.2f}", "≤ 1.5")
EOF
echo
echo "ouvrage $(git -C "$REPO" rev-parse --short HEAD), $(hyperfine --version); $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(free -g | awk '/^Mem:/ { print $2 }') GiB; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "runs: $RUNS (html), $PDF_RUNS (pdf); watch: $ROUNDS idle edits, $AUTOSAVE autosaves, $METADATA title and $METADATA contributor edits ($CORPUS_METADATA of each on the corpus)"

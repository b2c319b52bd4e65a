#!/usr/bin/env bash
# bench/same-output.sh [--keep DIR] BASE [NEW]
# bench/same-output.sh --compare-kept DIR
#
# Proves that two revisions of ouvrage write the same outputs: builds the
# binary (debug) at BASE, in a temporary `git worktree` under /tmp removed at
# the end, and at NEW (default: the working tree of the repository this
# script is in, uncommitted changes included; a revision gets its own
# worktree), runs both on the same inputs and compares every output:
#
#   - the sample book at NEW's root (book.toml, contributors.toml, chapters/,
#     references.bib, templates/), made a git repository of one commit and
#     two review events at fixed dates;
#   - each book under NEW's tests/fixtures that `ouvrage check` passes (the
#     broken one does not); they are not git repositories;
#   - a corpus made once by NEW's generator:
#     gen-corpus DIR --chapters 12 --words 30000 --commits 200 (seed 1).
#
# For each input, each binary builds a fresh copy with `ouvrage build` (every
# format) and, for the git repositories, another fresh copy with
# `ouvrage build --draft`, with SOURCE_DATE_EPOCH fixed. The site is compared
# file by file (missing, extra, different), the EPUB entry by entry (and its
# container byte for byte), the PDF byte for byte. Prints a table and the
# start of a `diff -u` of differing text files; exits 1 on any difference,
# 0 when everything is identical, 2 on a usage or build error.
#
# --keep DIR: work in DIR (new or empty) and keep it: DIR/base/CASE and
# DIR/new/CASE hold each copy with its _book/ (CASE is INPUT-build or
# INPUT-draft). --compare-kept DIR: compare such a kept DIR again, without
# building (after editing a file in it, say).
#
# Environment: CARGO_TARGET_DIR (default ~/.cache/ouvrage-target), JOBS
# (cargo -j, default 1), SOURCE_DATE_EPOCH (default 1714557600).
set -euo pipefail

die() { echo "same-output.sh: $*" >&2; exit 2; }
say() { echo "== $*" >&2; }

usage="usage: bench/same-output.sh [--keep DIR] BASE [NEW]   |   bench/same-output.sh --compare-kept DIR"
KEEP=
COMPARE_ONLY=
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) [ $# -ge 2 ] || die "$usage"; KEEP=$2; shift 2 ;;
    --keep=*) KEEP=${1#--keep=}; shift ;;
    --compare-kept) [ $# -ge 2 ] || die "$usage"; COMPARE_ONLY=$2; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1; $usage" ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

command -v python3 >/dev/null 2>&1 || die "python3 is needed (to compare the outputs)"

SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(git -C "$SCRIPT_DIR" rev-parse --show-toplevel)

# --- the comparison (python3: zipfile for the EPUB, difflib for excerpts) ---
compare() { # compare WORK: WORK/base/CASE/_book against WORK/new/CASE/_book
  python3 - "$1" <<'PY'
import difflib, os, sys, zipfile

work = sys.argv[1]
base_root, new_root = os.path.join(work, "base"), os.path.join(work, "new")
TEXT = (".html", ".xhtml", ".css", ".js", ".json", ".opf", ".ncx", ".xml",
        ".svg", ".txt", ".typ", ".bib", ".md")
rows, excerpts, problems = [], [], 0

def files_under(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            out[os.path.relpath(p, root).replace(os.sep, "/")] = p
    return out

def read(p):
    with open(p, "rb") as f:
        return f.read()

def excerpt(label, a, b):
    try:
        a, b = a.decode("utf-8"), b.decode("utf-8")
    except UnicodeDecodeError:
        return
    short = lambda s: s if len(s) <= 200 else s[:200] + "…"
    lines = list(difflib.unified_diff(
        [short(l) for l in a.splitlines()], [short(l) for l in b.splitlines()],
        "base/" + label, "new/" + label, n=2, lineterm=""))
    if len(lines) > 24:
        lines = lines[:24] + ["… (%d more diff lines)" % (len(lines) - 24)]
    excerpts.append("\n".join(lines))

def first_diff_offset(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))

def row(case, output, compared, different, note=""):
    rows.append((case, output, compared, compared - len(different), different, note))

def compare_set(case, output, base, new, get_base, get_new, prefix):
    """base/new: name → handle; compares the contents, names missing or extra."""
    different = []
    for name in sorted(set(base) | set(new)):
        if name not in new:
            different.append("missing " + name)
        elif name not in base:
            different.append("extra " + name)
        else:
            a, b = get_base(base[name]), get_new(new[name])
            if a != b:
                different.append(name)
                if name.endswith(TEXT) and len(excerpts) < 12:
                    excerpt(case + "/" + prefix + name, a, b)
    return different

for case in sorted(set(os.listdir(base_root)) | set(os.listdir(new_root))):
    b_case, n_case = os.path.join(base_root, case), os.path.join(new_root, case)
    # The build itself: exit code recorded beside each copy.
    status = {}
    for side, d in (("base", b_case), ("new", n_case)):
        try:
            status[side] = open(os.path.join(d, ".same-output-exit")).read().strip()
        except OSError:
            status[side] = "missing"
    if status["base"] != "0" or status["new"] != "0":
        row(case, "build", 1, ["exit %s (base) / %s (new)" % (status["base"], status["new"])])
        problems += 1
        continue
    b_book, n_book = os.path.join(b_case, "_book"), os.path.join(n_case, "_book")
    b_files, n_files = files_under(b_book), files_under(n_book)
    site_b = {k[5:]: v for k, v in b_files.items() if k.startswith("html/")}
    site_n = {k[5:]: v for k, v in n_files.items() if k.startswith("html/")}
    if site_b or site_n:
        diff = compare_set(case, "site", site_b, site_n, read, read, "html/")
        row(case, "site", len(set(site_b) | set(site_n)), diff)
    others = sorted((set(b_files) | set(n_files)) - {"html/" + k for k in set(site_b) | set(site_n)})
    for name in others:
        if name not in n_files or name not in b_files:
            row(case, name, 1, [("missing " if name not in n_files else "extra ") + name])
            continue
        a, b = read(b_files[name]), read(n_files[name])
        if name.endswith(".epub"):
            za = zipfile.ZipFile(b_files[name])
            zb = zipfile.ZipFile(n_files[name])
            ea = {i.filename: i for i in za.infolist()}
            eb = {i.filename: i for i in zb.infolist()}
            diff = compare_set(case, name, ea, eb, za.read, zb.read, name + "!")
            note = ""
            if not diff and a != b:
                note = "entries equal, container bytes differ (order, times or compression)"
                diff = ["(container)"]
            elif not diff and [i.filename for i in za.infolist()] != [i.filename for i in zb.infolist()]:
                note = "entries in another order"
            row(case, name, len(set(ea) | set(eb)), diff, note)
        else:
            note = ""
            if a != b:
                note = "%d vs %d bytes, first difference at byte %d" % (len(a), len(b), first_diff_offset(a, b))
                if name.endswith(TEXT) and len(excerpts) < 12:
                    excerpt(case + "/" + name, a, b)
            row(case, name, 1, [name] if a != b else [], note)

headers = ("input", "output", "compared", "identical", "different", "first differing")
table = [headers]
for case, output, compared, same, different, note in rows:
    first = ", ".join(different[:3]) + (" …" if len(different) > 3 else "")
    if note:
        first = (first + "; " if first else "") + note
    table.append((case, output, str(compared), str(same), str(len(different)), first or "-"))
widths = [max(len(r[i]) for r in table) for i in range(len(headers) - 1)]
for r in table:
    print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + r[-1])
total_diff = sum(len(r[4]) for r in rows)
total = sum(r[2] for r in rows)
print()
if excerpts:
    print("diff -u excerpts (first lines of the first differing text files):")
    for e in excerpts:
        print(e)
        print()
if total_diff:
    print("DIFFERENT: %d of %d files, entries or builds differ" % (total_diff, total))
    sys.exit(1)
print("IDENTICAL: all %d files and entries of %d outputs" % (total, len(rows)))
PY
}

if [ -n "$COMPARE_ONLY" ]; then
  [ ${#ARGS[@]} -eq 0 ] || die "$usage"
  [ -d "$COMPARE_ONLY/base" ] && [ -d "$COMPARE_ONLY/new" ] || die "$COMPARE_ONLY holds no base/ and new/ (made by --keep)"
  compare "$COMPARE_ONLY"
  exit $?
fi

[ ${#ARGS[@]} -ge 1 ] && [ ${#ARGS[@]} -le 2 ] || die "$usage"
BASE_REV=$(git -C "$REPO" rev-parse --verify --quiet "${ARGS[0]}^{commit}") || die "no commit ${ARGS[0]}"
NEW_REV=
if [ ${#ARGS[@]} -eq 2 ]; then
  NEW_REV=$(git -C "$REPO" rev-parse --verify --quiet "${ARGS[1]}^{commit}") || die "no commit ${ARGS[1]}"
fi

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/ouvrage-target}
JOBS=${JOBS:-1}
EPOCH=${SOURCE_DATE_EPOCH:-1714557600}

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  [ -z "$(ls -A "$KEEP")" ] || die "$KEEP is not empty"
  WORK=$(cd "$KEEP" && pwd)
else
  WORK=$(mktemp -d /tmp/same-output.XXXXXX)
fi
WORKTREES=()
cleanup() {
  for w in "${WORKTREES[@]}"; do
    git -C "$REPO" worktree remove --force "$w" >/dev/null 2>&1 || true
    rm -rf "$(dirname "$w")"
  done
  git -C "$REPO" worktree prune >/dev/null 2>&1 || true
  if [ -z "$KEEP" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
mkdir -p "$WORK/bin" "$WORK/inputs" "$WORK/base" "$WORK/new" "$WORK/logs"

# --- the two binaries -------------------------------------------------------
# A revision is checked out in a worktree, inside a workspace of its own:
# cargo names a workspace's root package's artifacts by its path relative to
# the workspace root, so that two checkouts that are each their own root
# would share (and overwrite) each other's artifacts in one target folder,
# and the second build would find the first one's "fresh". As the member
# `ouvrage-base` (or `ouvrage-new`) of a wrapper workspace (same profiles,
# same Cargo.lock), each checkout gets artifacts of its own (the same from
# one run to the next, so that incremental compilation helps), while the
# dependencies, whose names do not depend on the workspace, are reused from
# the warm target folder. Two runs at once in one target folder would still
# overwrite each other's.
checkout() { # checkout REV NAME: sets CHECKED_OUT (removed at the end)
  local root member=ouvrage-$2
  root=$(mktemp -d "/tmp/same-output-$2.XXXXXX")
  WORKTREES+=("$root/$member")
  git -C "$REPO" worktree add --quiet --detach "$root/$member" "$1" || die "cannot check out $1"
  local edition resolver=2
  edition=$(sed -n 's/^edition *= *"\([0-9]*\)".*/\1/p' "$root/$member/Cargo.toml" | head -1)
  [ "${edition:-2021}" -ge 2024 ] && resolver=3
  {
    printf '[workspace]\nmembers = ["%s"]\nresolver = "%s"\n\n' "$member" "$resolver"
    awk '/^\[/ { keep = /^\[profile/ } keep' "$root/$member/Cargo.toml"
  } >"$root/Cargo.toml"
  cp "$root/$member/Cargo.lock" "$root/Cargo.lock"
  CHECKED_OUT=$root/$member
}
build() { # build SRC NAME: the debug binary of SRC, copied to WORK/bin/NAME
  local head
  head=$(git -C "$1" rev-parse HEAD)
  say "building $2 (${head:0:7}$( [ "$1" = "$REPO" ] && ! git -C "$1" diff --quiet HEAD -- . && echo ' + uncommitted changes')) in $1"
  (cd "$1" && env -u GIT_REVISION cargo build --locked -j "$JOBS" -p ouvrage --bin ouvrage) >"$WORK/logs/build-$2.log" 2>&1 \
    || { tail -20 "$WORK/logs/build-$2.log" >&2; die "the build of $2 failed (log: $WORK/logs/build-$2.log)"; }
  cp "$CARGO_TARGET_DIR/debug/ouvrage" "$WORK/bin/$2"
  # The binary must be this checkout's: --version names the commit it was
  # built from (since it learnt to; older revisions print the version alone).
  local version
  version=$("$WORK/bin/$2" --version)
  case "$version" in
    *"$head"*) ;;
    *"(git "*) die "the binary built for $2 says \`$version\`, not $head" ;;
    *) say "($2's \`--version\` names no commit: \`$version\`)" ;;
  esac
}
checkout "$BASE_REV" base
BASE_SRC=$CHECKED_OUT
build "$BASE_SRC" base
if [ -n "$NEW_REV" ]; then
  checkout "$NEW_REV" new
  NEW_SRC=$CHECKED_OUT
else
  NEW_SRC=$REPO
fi
build "$NEW_SRC" new

# --- the inputs, made once --------------------------------------------------
git_fixed() { # git with no user or system configuration, a fixed identity and date
  env -u GIT_DIR -u GIT_WORK_TREE GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_DATE="${GIT_DATE:-2024-05-01T10:00:00Z}" GIT_COMMITTER_DATE="${GIT_DATE:-2024-05-01T10:00:00Z}" \
    GIT_AUTHOR_NAME="${GIT_WHO:-ouvrage}" GIT_AUTHOR_EMAIL="${GIT_EMAIL:-ouvrage@example.org}" \
    GIT_COMMITTER_NAME="${GIT_WHO:-ouvrage}" GIT_COMMITTER_EMAIL="${GIT_EMAIL:-ouvrage@example.org}" \
    git -c commit.gpgsign=false -c core.autocrlf=false "$@"
}
review_event() { # review_event DIR CHAPTER-ID FILE EVENT
  local revision
  revision=$(git -C "$1" rev-parse "HEAD:chapters/$3")
  git_fixed -C "$1" commit -q --allow-empty -m "review($2): $4" \
    -m "Ouvrage-Chapter: $2
Ouvrage-Event: $4
Ouvrage-Revision: $revision"
}

say "inputs in $WORK/inputs"
SAMPLE=$WORK/inputs/sample
mkdir -p "$SAMPLE"
for f in book.toml contributors.toml references.bib chapters templates; do
  [ -e "$NEW_SRC/$f" ] && cp -R "$NEW_SRC/$f" "$SAMPLE/"
done
printf '_book/\n' >"$SAMPLE/.gitignore"
git_fixed -C "$SAMPLE" init -q -b main
git_fixed -C "$SAMPLE" add -A
GIT_DATE="2024-05-01T10:00:00Z" GIT_WHO="Coordination" GIT_EMAIL="coordination@example.org" \
  git_fixed -C "$SAMPLE" commit -q -m "Le manuscrit"
GIT_DATE="2024-05-02T10:00:00Z" GIT_WHO="Matei Gheorghiu" GIT_EMAIL="gheorghiu@example.org" \
  review_event "$SAMPLE" fablabs 02-fablabs.md submitted
GIT_DATE="2024-05-03T10:00:00Z" GIT_WHO="Nicole Alix" GIT_EMAIL="alix@example.org" \
  review_event "$SAMPLE" fablabs 02-fablabs.md approved
INPUTS=(sample)

for fixture in "$NEW_SRC"/tests/fixtures/*/; do
  name=fixture-$(basename "$fixture")
  # Checked as copied (inside the repository, ouvrage would find its git).
  cp -R "$fixture" "$WORK/inputs/$name"
  if "$WORK/bin/new" --book "$WORK/inputs/$name" -q --color never check >/dev/null 2>&1; then
    INPUTS+=("$name")
  else
    say "skipped $name: \`ouvrage check\` finds errors in it"
    rm -rf "${WORK:?}/inputs/$name"
  fi
done

say "generating the corpus with $( [ "$NEW_SRC" = "$REPO" ] && echo 'the working tree' || echo "$NEW_REV")'s gen-corpus"
(cd "$NEW_SRC" && cargo run --locked -q -j "$JOBS" --example gen-corpus -- "$WORK/inputs/corpus" \
  --chapters 12 --words 30000 --commits 200) >"$WORK/logs/gen-corpus.log" 2>&1 \
  || { tail -20 "$WORK/logs/gen-corpus.log" >&2; die "gen-corpus failed"; }
rm -rf "$WORK/inputs/corpus-mdbook"
INPUTS+=(corpus)

# --- the builds -------------------------------------------------------------
for input in "${INPUTS[@]}"; do
  modes=(build)
  [ -d "$WORK/inputs/$input/.git" ] && modes+=(draft)
  for mode in "${modes[@]}"; do
    for side in base new; do
      copy=$WORK/$side/$input-$mode
      cp -R "$WORK/inputs/$input" "$copy"
      args=(build)
      [ "$mode" = draft ] && args+=(--draft)
      say "$side: ouvrage ${args[*]} ($input)"
      set +e
      (cd "$copy" && SOURCE_DATE_EPOCH=$EPOCH NO_COLOR=1 "$WORK/bin/$side" -q "${args[@]}") \
        >"$WORK/logs/$side-$input-$mode.log" 2>&1
      echo $? >"$copy/.same-output-exit"
      set -e
    done
  done
done

set +e
compare "$WORK"
status=$?
set -e
[ -n "$KEEP" ] && say "kept in $WORK (compare again with: $0 --compare-kept $WORK)"
exit $status

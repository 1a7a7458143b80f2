#!/usr/bin/env bash
# Compiles every LaTeX file of a report folder as a paper would use it, fails on an
# overfull box, and renders each compiled page to PNG for scripts/figures/check.sh.
#
#   scripts/latex/check.sh [-o OUT] [DIR]      (DIR default reports, OUT default /tmp/repro-latex)
#
# - <name>-table.tex is \input into a plain one-column \documentclass{article}
#   (booktabs): it must fit \linewidth.
# - <name>-table-wide.tex is \input into \documentclass[twocolumn]{article}: a table*
#   across both columns.
# - <name>-curves.tex is \input into a plain article (graphicx), beside its SVG
#   converted to PDF (rsvg-convert -f pdf).
# - <name>.tex (a standalone document) is compiled as it is.
# Any "Overfull \hbox" or "Overfull \vbox" in a fragment's log fails the check, naming the
# file and the log line; in a standalone document's, it is printed as a warning. Each PDF is rendered to OUT/<file>-<page>.png at 100 dpi (pdftoppm).
# Exit 0 when everything compiles without an overfull box, 1 otherwise.
set -u
out=/tmp/repro-latex
if [ "${1:-}" = "-o" ]; then out=$2; shift 2; fi
dir=${1:-reports}
for tool in pdflatex rsvg-convert pdftoppm; do
  command -v $tool >/dev/null || { echo "scripts/latex/check.sh: $tool is not installed" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
rm -f "$out"/*.png
cp "$dir"/*.tex "$work"/
for s in "$dir"/*-curves.svg "$dir"/*-trust-region.svg "$dir"/*-grid.svg; do
  [ -e "$s" ] || continue
  b=$(basename "$s" .svg)
  rsvg-convert -f pdf -o "$work/$b.pdf" "$s" || { echo "$s: rsvg-convert failed"; exit 1; }
done
failed=0
compile() { # $1: name of the .tex to compile in $work, $2: the file it checks, $3: "warn" to only warn on overfull boxes
  local name=$1 what=$2 strict=${3:-fail}
  if ! (cd "$work" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null 2>&1); then
    echo "FAIL $what: does not compile (log: tail of $name.log below)"; tail -20 "$work/$name.log"; failed=1; return
  fi
  local over
  over=$(grep -E '^Overfull \\[hv]box' "$work/$name.log")
  if [ -n "$over" ] && [ "$strict" = warn ]; then
    echo "warn $what: overfull box (a standalone report, not a fragment to \\input):"; echo "$over" | sed 's/^/  /'
  elif [ -n "$over" ]; then
    echo "FAIL $what: overfull box in a plain article:"; echo "$over" | sed 's/^/  /'; failed=1
  else
    echo "ok   $what"
  fi
  pdftoppm -r 100 -png "$work/$name.pdf" "$out/$name" || { echo "FAIL $what: pdftoppm"; failed=1; }
}
for f in "$dir"/*.tex; do
  base=$(basename "$f" .tex)
  case "$base" in
    *-table-wide) cls='[twocolumn]{article}'; body="\\input{$base}" ;;
    *-table) cls='{article}'; body="\\input{$base}" ;;
    *-curves) cls='{article}'; body="\\input{$base}" ;;
    *)
      grep -q '^\\documentclass' "$f" || { echo "skip $f: not a document or a known fragment"; continue; }
      compile "$base" "$f" warn; continue ;;
  esac
  printf '\\documentclass%s\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n%b\n\\end{document}\n' \
    "$cls" "$body" > "$work/paper-$base.tex"
  compile "paper-$base" "$f"
done
echo "PNG pages in $out"
exit $failed

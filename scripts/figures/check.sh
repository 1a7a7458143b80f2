#!/usr/bin/env bash
# Renders SVG figures to PNG and checks them: not blank, and as many panels
# as each SVG's data-panels attribute says. PNGs go to DIR (default: a new
# temporary folder, printed), so that they can be looked at.
#
#   scripts/figures/check.sh [-o DIR] [-z ZOOM] FILE.svg...
#
# Example, the plotting library's snapshots:
#   scripts/figures/check.sh -o /tmp/plot-png Tests/ReportsTests/Snapshots/plot-*.svg
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out=""
zoom=1
while getopts "o:z:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    z) zoom="$OPTARG" ;;
    *) echo "usage: $0 [-o DIR] [-z ZOOM] FILE.svg..." >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-o DIR] [-z ZOOM] FILE.svg..." >&2; exit 2; }
[ -n "$out" ] || out="$(mktemp -d "${TMPDIR:-/tmp}/figures.XXXXXX")"
mkdir -p "$out"
pngs=()
for svg in "$@"; do
  # The SVG goes beside its PNG, where check_png.py reads data-panels from it.
  cp "$svg" "$out/$(basename "$svg")"
  pngs+=("$("$here/render_png.sh" -o "$out" -z "$zoom" "$svg")")
done
echo "PNGs in $out"
python3 "$here/check_png.py" "${pngs[@]}"

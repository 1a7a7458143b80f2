#!/usr/bin/env bash
# Renders SVG figures to PNG with a real SVG renderer (rsvg-convert, from
# Debian's librsvg2-bin), so that a figure can be looked at and checked by
# scripts/figures/check_png.py, not only generated.
#
#   scripts/figures/render_png.sh [-o DIR] [-z ZOOM] FILE.svg...
#
# Writes DIR/NAME.png for each FILE.svg (default DIR: the SVG's own folder)
# and prints the PNG's path. ZOOM (default 1) must be a whole number, so that
# the 1 px plot-area frames stay crisp (check_png.py counts them).
# rsvg-convert is installed with apt-get when it is missing and we are root.
set -euo pipefail

usage() { echo "usage: $0 [-o DIR] [-z ZOOM] FILE.svg..." >&2; exit 2; }

out=""
zoom=1
while getopts "o:z:h" opt; do
  case "$opt" in
    o) out="$OPTARG" ;;
    z) zoom="$OPTARG" ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
[[ "$zoom" =~ ^[1-9][0-9]*$ ]] || { echo "$0: ZOOM must be a whole number ≥ 1, got '$zoom'" >&2; exit 2; }

if ! command -v rsvg-convert >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$0: installing librsvg2-bin (rsvg-convert) and a sans-serif font" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librsvg2-bin fonts-dejavu-core >&2
  else
    echo "$0: rsvg-convert not found; install Debian's librsvg2-bin (apt-get install librsvg2-bin)" >&2
    exit 1
  fi
fi

[ -z "$out" ] || mkdir -p "$out"
for svg in "$@"; do
  [ -f "$svg" ] || { echo "$0: no such file: $svg" >&2; exit 1; }
  dir="${out:-$(dirname "$svg")}"
  png="$dir/$(basename "${svg%.svg}").png"
  rsvg-convert --zoom "$zoom" --background-color white --format png --output "$png" "$svg"
  echo "$png"
done

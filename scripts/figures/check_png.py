#!/usr/bin/env python3
"""Checks rendered figures: each PNG is not blank, and has as many panels as expected.

    scripts/figures/check_png.py [--panels N] [--svg-dir DIR] [--min-ink F] FILE.png...

Panels are counted as the plot-area frames: the plotting library
(Sources/Reports/Plot) frames each panel's plot area with one rectangle in a
colour reserved for it (#333A40, `PlotColor.frame`), drawn last on half-pixel
coordinates, so that at a whole-number zoom it rasterises to crisp lines of
exactly that colour. A frame is a connected set of pixels of that colour
(within 4 per channel, which no grey of anti-aliased black text reaches)
whose bounding box is at least 20 px each way and which covers at least 90%
of each side of that box and almost nothing inside it.

With --pages the files are pages of a compiled LaTeX document
(scripts/latex/check.sh renders them): only their ink is checked.

The expected count is --panels N if given, else the `data-panels="N"`
attribute of the root <svg> of FILE.svg, looked for next to the PNG and then
in --svg-dir. A PNG is blank when fewer than --min-ink (default 0.01) of its
pixels are darker than near-white.

Exit status 0 when every file passes, 1 when one fails, 2 on bad usage.
Python 3 standard library only: the PNG is decoded with zlib and struct.
"""

import argparse
import os
import re
import struct
import sys
import zlib

FRAME = (0x33, 0x3A, 0x40)
TOLERANCE = 4
MIN_SIDE = 20


def decode_png(path):
    """(width, height, rows): rows[y] is a bytes object of RGB triples, composited over white."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    idat = []
    palette = None
    trns = None
    ihdr = None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if ihdr is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, ctype, _, _, interlace = ihdr
    if interlace != 0:
        raise ValueError("interlaced PNGs are not supported")
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(ctype)
    if channels is None or depth not in (8, 16) or (ctype == 3 and depth != 8):
        raise ValueError(f"unsupported PNG: colour type {ctype}, bit depth {depth}")
    bpp = channels * depth // 8
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    rows = []
    prior = bytearray(stride)
    p = 0
    for _ in range(height):
        ftype = raw[p]
        line = bytearray(raw[p + 1:p + 1 + stride])
        p += 1 + stride
        if ftype == 1:  # Sub
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif ftype == 2:  # Up
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prior))
        elif ftype == 3:  # Average
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prior[i]) >> 1)) & 0xFF
        elif ftype == 4:  # Paeth
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prior[i]
                c = prior[i - bpp] if i >= bpp else 0
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if (pa <= pb and pa <= pc) else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif ftype != 0:
            raise ValueError(f"bad filter type {ftype}")
        rows.append(line)
        prior = line
    out = []
    for line in rows:
        if depth == 16:
            line = line[0::2]  # high bytes
        rgb = bytearray(width * 3)
        for x in range(width):
            if ctype == 6:
                r, g, b, a = line[4 * x:4 * x + 4]
            elif ctype == 2:
                (r, g, b), a = line[3 * x:3 * x + 3], 255
            elif ctype == 4:
                r = g = b = line[2 * x]
                a = line[2 * x + 1]
            elif ctype == 0:
                r = g = b = line[x]
                a = 255
            else:
                k = line[x]
                r, g, b = palette[3 * k:3 * k + 3]
                a = trns[k] if trns is not None and k < len(trns) else 255
            if a != 255:  # over white
                r = (r * a + 255 * (255 - a) + 127) // 255
                g = (g * a + 255 * (255 - a) + 127) // 255
                b = (b * a + 255 * (255 - a) + 127) // 255
            rgb[3 * x:3 * x + 3] = bytes((r, g, b))
        out.append(bytes(rgb))
    return width, height, out


def ink_fraction(width, height, rows):
    """Share of pixels with a channel below 245 (not near-white)."""
    inked = 0
    for row in rows:
        for x in range(width):
            if min(row[3 * x], row[3 * x + 1], row[3 * x + 2]) < 245:
                inked += 1
    return inked / float(width * height) if width * height else 0.0


def frames(width, height, rows):
    """Bounding boxes (x0, y0, x1, y1) of the plot-area frames, top to bottom, left to right."""
    fr, fg, fb = FRAME
    mask = set()
    for y, row in enumerate(rows):
        for x in range(width):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            if abs(r - fr) <= TOLERANCE and abs(g - fg) <= TOLERANCE and abs(b - fb) <= TOLERANCE:
                mask.add((x, y))
    found = []
    seen = set()
    for start in sorted(mask, key=lambda q: (q[1], q[0])):
        if start in seen:
            continue
        seen.add(start)
        comp = [start]
        stack = [start]
        while stack:
            x, y = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    q = (x + dx, y + dy)
                    if q in mask and q not in seen:
                        seen.add(q)
                        comp.append(q)
                        stack.append(q)
        xs = [q[0] for q in comp]
        ys = [q[1] for q in comp]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        if x1 - x0 + 1 < MIN_SIDE or y1 - y0 + 1 < MIN_SIDE:
            continue
        t = 4  # the thickest a frame line may be (zoom 4)
        pts = set(comp)
        top = sum(1 for x in range(x0, x1 + 1) if any((x, y) in pts for y in range(y0, y0 + t)))
        bottom = sum(1 for x in range(x0, x1 + 1) if any((x, y) in pts for y in range(y1 - t + 1, y1 + 1)))
        left = sum(1 for y in range(y0, y1 + 1) if any((x, y) in pts for x in range(x0, x0 + t)))
        right = sum(1 for y in range(y0, y1 + 1) if any((x, y) in pts for x in range(x1 - t + 1, x1 + 1)))
        w, h = x1 - x0 + 1, y1 - y0 + 1
        inside = sum(1 for (x, y) in comp if x0 + t <= x <= x1 - t and y0 + t <= y <= y1 - t)
        if min(top, bottom) >= 0.9 * w and min(left, right) >= 0.9 * h and inside <= 0.01 * (w + h):
            found.append((x0, y0, x1, y1))
    return sorted(found, key=lambda b: (b[1], b[0]))


def coloured_fraction(rows, box):
    """Share of pixels inside `box` that are clearly coloured (not grey): the data's ink."""
    x0, y0, x1, y1 = box
    n = coloured = 0
    for y in range(y0 + 4, y1 - 3):
        row = rows[y]
        for x in range(x0 + 4, x1 - 3):
            r, g, b = row[3 * x], row[3 * x + 1], row[3 * x + 2]
            n += 1
            if max(r, g, b) - min(r, g, b) > 24:
                coloured += 1
    return coloured / float(n) if n else 0.0


def expected_panels(png, args):
    if args.panels is not None:
        return args.panels, "--panels"
    stem = os.path.splitext(os.path.basename(png))[0] + ".svg"
    candidates = [os.path.join(os.path.dirname(png), stem)]
    if args.svg_dir:
        candidates.append(os.path.join(args.svg_dir, stem))
    for svg in candidates:
        if os.path.isfile(svg):
            with open(svg, encoding="utf-8") as f:
                head = f.read(4096)
            m = re.search(r"<svg\b[^>]*\bdata-panels=\"(\d+)\"", head)
            if m:
                return int(m.group(1)), svg
            return None, svg + " (no data-panels attribute)"
    return None, "no SVG found (looked for " + ", ".join(candidates) + ")"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pngs", nargs="+", metavar="FILE.png")
    ap.add_argument("--panels", type=int, help="expected number of panels in every file")
    ap.add_argument("--svg-dir", help="folder of the SVGs, to read data-panels from")
    ap.add_argument("--min-ink", type=float, default=0.01, help="least share of non-white pixels (default 0.01)")
    ap.add_argument("--pages", action="store_true",
                    help="the files are pages of a document (scripts/latex/check.sh): check the ink only, not panels")
    args = ap.parse_args()
    failed = 0
    for png in args.pngs:
        problems = []
        try:
            width, height, rows = decode_png(png)
        except (OSError, ValueError, zlib.error) as e:
            print(f"FAIL {png}: cannot read: {e}")
            failed += 1
            continue
        ink = ink_fraction(width, height, rows)
        if ink < args.min_ink:
            problems.append(f"blank: {ink:.4f} of the pixels are inked, less than {args.min_ink}")
        boxes = [] if args.pages else frames(width, height, rows)
        want, source = (None, "") if args.pages else expected_panels(png, args)
        if args.pages:
            pass
        elif want is None:
            problems.append(f"no expected panel count: {source}")
        elif len(boxes) != want:
            problems.append(f"{len(boxes)} panel frames found, {want} expected ({source})")
        status = "FAIL" if problems else "ok"
        print(f"{status} {png}: {width}x{height} px, ink {ink:.3f}, {len(boxes)} panels"
              + (f" (expected {want})" if want is not None else ""))
        for k, box in enumerate(boxes):
            x0, y0, x1, y1 = box
            print(f"     panel {k + 1}: frame {x1 - x0 + 1}x{y1 - y0 + 1} px at ({x0}, {y0}), "
                  f"coloured ink {coloured_fraction(rows, box):.3f}")
        for p in problems:
            print(f"     {p}")
        failed += bool(problems)
    print(f"{len(args.pngs) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

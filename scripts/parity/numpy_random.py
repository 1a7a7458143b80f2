#!/usr/bin/env python3
"""NumPy's own seeding and draws, for Repro's Swift copy of them (ReproRandom/NumPyRandom.swift).

Two outputs, both deterministic (the same bytes on every run with the same NumPy):

  --tables FILE   Sources/ReproRandom/NumPyZigguratTables.swift: the ziggurat tables
                  (ki_double, wi_double, fi_double) of `random_standard_normal`, read as
                  bits out of the libnpyrandom.a that the installed NumPy ships
                  (numpy/random/lib), so no constant is retyped.
  --fixture FILE  Tests/ReproRandomTests/Fixtures/numpy-random.json: for many seeds,
                  SeedSequence(seed).generate_state(4, uint64), PCG64's first raw
                  outputs, and default_rng(seed)'s random(), uniform(-0.005, 0.005,
                  size) (Gymnasium's v5 reset draws) and standard_normal(size), each
                  double as its 64-bit pattern in hex; plus, for a few seeds, 200,000
                  standard normals folded into an XOR of their bits and the final
                  state (the ziggurat's rare branches included).

Needs only numpy (2.x; 2.4.6 is the parity venv's pin). `make numpy-random-fixture`.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys

import numpy as np

SEEDS = list(range(0, 64)) + [
    100, 1000, 12345, 65535, 65536, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1,
    123456789012345, 2**53, 2**63 - 1, 2**63, 2**64 - 1,
]
LONG_SEEDS = [0, 1, 7, 2**40 + 3]
LONG_DRAWS = 200_000


def bits(x: float) -> str:
    return "0x%016x" % struct.unpack("<Q", struct.pack("<d", float(x)))[0]


def fixture() -> dict:
    rows = []
    for s in SEEDS:
        ss = np.random.SeedSequence(s)
        words = ss.generate_state(4, np.uint64)
        pcg = np.random.PCG64(np.random.SeedSequence(s))
        raw = pcg.random_raw(8)
        g = np.random.default_rng(s)
        rnd = g.random(4)
        g = np.random.default_rng(s)
        uni_a = g.uniform(low=-0.005, high=0.005, size=15)   # like Humanoid's nq draws ...
        uni_b = g.uniform(low=-0.01, high=0.01, size=6)     # ... then more on the same stream
        g = np.random.default_rng(s)
        normals = g.standard_normal(64)
        rows.append({
            "seed": str(s),
            "state64": ["0x%016x" % int(w) for w in words],
            "raw": ["0x%016x" % int(r) for r in raw],
            "random": [bits(x) for x in rnd],
            "uniform": [bits(x) for x in uni_a] + [bits(x) for x in uni_b],
            "normal": [bits(x) for x in normals],
        })
    long_rows = []
    for s in LONG_SEEDS:
        g = np.random.default_rng(s)
        z = g.standard_normal(LONG_DRAWS)
        x = 0
        for v in z.view(np.uint64):
            x ^= int(v)
        st = g.bit_generator.state["state"]["state"]
        long_rows.append({"seed": str(s), "count": LONG_DRAWS, "xor": "0x%016x" % x,
                          "last": bits(z[-1]), "state": "0x%032x" % st,
                          "min": bits(z.min()), "max": bits(z.max())})
    return {
        "numpy": np.__version__,
        "what": "SeedSequence(seed).generate_state(4, uint64); PCG64(SeedSequence(seed)).random_raw(8); "
                "default_rng(seed): random(4); uniform(-0.005, 0.005, 15) then uniform(-0.01, 0.01, 6); "
                "standard_normal(64) (each from a fresh default_rng(seed)); doubles as hex bit patterns",
        "command": "python3 scripts/parity/numpy_random.py --fixture FILE  (make numpy-random-fixture)",
        "seeds": rows,
        "long": long_rows,
    }


# --- ziggurat tables, read out of NumPy's static library --------------------------------

def _ar_members(blob: bytes):
    assert blob[:8] == b"!<arch>\n", "not an ar archive"
    p = 8
    names = b""
    while p + 60 <= len(blob):
        hdr = blob[p:p + 60]
        name = hdr[:16].decode().strip()
        size = int(hdr[48:58].decode().strip())
        data = blob[p + 60:p + 60 + size]
        if name == "//":
            names = data
        elif name.startswith("/") and name[1:].isdigit():
            off = int(name[1:])
            name = names[off:names.index(b"/\n", off)].decode()
        yield name.rstrip("/"), data
        p += 60 + size + (size & 1)


def _elf_symbols(obj: bytes):
    assert obj[:4] == b"\x7fELF" and obj[4] == 2 and obj[5] == 1, "need a little-endian ELF64 object"
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    secs = [struct.unpack_from("<IIQQQQIIQQ", obj, shoff + i * shentsize) for i in range(shnum)]
    for (name, typ, flags, addr, off, size, link, info, align, entsize) in secs:
        if typ == 2:  # SHT_SYMTAB
            strtab = secs[link]
            for k in range(size // entsize):
                st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from(
                    "<IBBHQQ", obj, off + k * entsize)
                s = obj[strtab[4] + st_name: obj.index(b"\0", strtab[4] + st_name)].decode()
                if st_shndx < len(secs):
                    sec = secs[st_shndx]
                    yield s, obj[sec[4] + st_value: sec[4] + st_value + st_size]


def ziggurat_tables() -> dict:
    lib = os.path.join(os.path.dirname(np.random.__file__), "lib", "libnpyrandom.a")
    with open(lib, "rb") as f:
        blob = f.read()
    found = {}
    for name, data in _ar_members(blob):
        if "distributions.c" not in name or "hypergeometric" in name or "mvhg" in name:
            continue
        for sym, raw in _elf_symbols(data):
            if sym in ("ki_double", "wi_double", "fi_double"):
                assert len(raw) == 256 * 8, (sym, len(raw))
                found[sym] = list(struct.unpack("<256Q", raw))
    assert set(found) == {"ki_double", "wi_double", "fi_double"}, sorted(found)
    # Check the tables against NumPy's own draws: with raw output r = idx | (1 << 9) (rabs = 1,
    # sign +), standard_normal returns 1 * wi_double[idx] exactly (at once where 1 < ki_double[idx];
    # for idx 1, whose ki is 0, through the wedge test, which a value near 1e-16 passes).
    wi = [struct.unpack("<d", struct.pack("<Q", w))[0] for w in found["wi_double"]]
    mult = 0x2360ED051FC65DA44385DF649FCCF645
    inv = pow(mult, -1, 2**128)
    bg = np.random.PCG64(0)
    inc = bg.state["state"]["inc"]
    for idx in range(256):
        want_raw = idx | (1 << 9)          # hi = 0 (rotation 0), so output = hi ^ lo = lo
        after = want_raw                    # state after the step: hi 0, lo want_raw
        before = ((after - inc) * inv) % 2**128
        st = bg.state
        st["state"]["state"] = before
        st["has_uint32"] = 0
        bg.state = st
        g = np.random.Generator(bg)
        got = g.standard_normal()
        assert got == wi[idx], (idx, got, wi[idx])
    return {"libnpyrandom": lib, **found}


def swift_tables(t: dict) -> str:
    def rows(vals, as_double):
        out = []
        for k in range(0, 256, 4):
            items = ["Double(bitPattern: 0x%016x)" % v if as_double else "0x%016x" % v for v in vals[k:k + 4]]
            out.append("    " + ", ".join(items) + ",")
        return "\n".join(out)
    return f"""// Generated by scripts/parity/numpy_random.py --tables (numpy {np.__version__}); do not edit.
// NumPy's ziggurat tables for `random_standard_normal` (ki_double, wi_double, fi_double of
// numpy/random/src/distributions/ziggurat_constants.h), as read bit for bit out of the
// libnpyrandom.a that NumPy installs, and checked against NumPy's own standard_normal.

enum NumPyZiggurat {{
  /// ziggurat_nor_r and its inverse (NumPy's literals).
  static let r: Double = 3.6541528853610087963519472518
  static let inverseR: Double = 0.27366123732975827203338247596

  static let ki: [UInt64] = [
{rows(t["ki_double"], False)}
  ]

  static let wi: [Double] = [
{rows(t["wi_double"], True)}
  ]

  static let fi: [Double] = [
{rows(t["fi_double"], True)}
  ]
}}
"""


def write(path: str, text: str) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)
    print(f"wrote {path}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", help="write the Swift ziggurat tables here")
    ap.add_argument("--fixture", help="write the JSON fixture here")
    a = ap.parse_args()
    if not (np.__version__.startswith("2.")):
        print(f"numpy_random: need numpy 2.x, have {np.__version__}", file=sys.stderr)
        return 1
    if a.tables:
        write(a.tables, swift_tables(ziggurat_tables()))
    if a.fixture:
        write(a.fixture, json.dumps(fixture(), indent=1, sort_keys=True) + "\n")
    if not (a.tables or a.fixture):
        ap.error("name --tables FILE and/or --fixture FILE")
    return 0


if __name__ == "__main__":
    sys.exit(main())

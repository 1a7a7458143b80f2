#!/usr/bin/env python3
"""Record Gymnasium 1.4.0's reset states for many seeds (Gymnasium's own seeding).

For each task and seed: env.reset(seed=seed), then env.reset() twice more (the stream
continues), each with env.unwrapped.data.qpos, qvel and the observation returned, every
float64 as its 64-bit pattern in hex. Writes Tests/EnvironmentsTests/Fixtures/
gymnasium-resets.json (deterministic: the same bytes on every run). Run in the parity
venv: `make parity-resets`.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys

import numpy as np

from record import STEP_TASKS, make_env  # every task id (scripts/parity/record.py)

TASKS = ["Hopper-v5", "Walker2d-v5", "Humanoid-v5"] + [t for t in STEP_TASKS if t not in
                                                       ("Hopper-v5", "Walker2d-v5", "Humanoid-v5")]
SEEDS = [0, 1, 2, 3, 7, 42, 1000, 12345, 2**32 + 5, 2**63 + 11]
# The ids added after the first three: fewer seeds keep the file small (Humanoid's observation
# is 348 values); Reacher's and Pusher's goal rejection loops are exercised within them.
SEEDS_LATER = [0, 1, 42, 12345, 2**32 + 5, 2**63 + 11]
FOLLOWING = 2


def hexes(a) -> list[str]:
    a = np.asarray(a, dtype=np.float64)
    return ["0x%016x" % struct.unpack("<Q", struct.pack("<d", float(x)))[0] for x in a]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                  "Tests", "EnvironmentsTests", "Fixtures", "gymnasium-resets.json"))
    a = ap.parse_args()
    import gymnasium as gym
    import mujoco
    if gymnasium_version() != "1.4.0" or mujoco.__version__ != "3.3.7":
        print("record_resets: need gymnasium 1.4.0 and mujoco 3.3.7", file=sys.stderr)
        return 1
    rows = []
    for n, task in enumerate(TASKS):
        env = make_env(task)
        u = env.unwrapped
        for seed in SEEDS if n < 3 else SEEDS_LATER:
            resets = []
            for k in range(1 + FOLLOWING):
                obs, _ = env.reset(seed=seed) if k == 0 else env.reset()
                resets.append({"qpos": hexes(u.data.qpos), "qvel": hexes(u.data.qvel), "observation": hexes(obs)})
            rows.append({"task": task, "seed": str(seed), "resets": resets})
        env.close()
    doc = {
        "gymnasium": "1.4.0", "mujoco": "3.3.7", "numpy": np.__version__,
        "what": "per task and seed: env.reset(seed=seed), then env.reset() twice; qpos, qvel "
                "(env.unwrapped.data) and the observation, doubles as hex bit patterns",
        "command": "make parity-resets (scripts/parity/record_resets.py in the parity venv)",
        "rows": rows,
    }
    out = os.path.normpath(a.out)
    with open(out + ".tmp", "w") as f:
        f.write(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    os.replace(out + ".tmp", out)
    print(f"wrote {out}")
    return 0


def gymnasium_version() -> str:
    import gymnasium
    return gymnasium.__version__


if __name__ == "__main__":
    sys.exit(main())

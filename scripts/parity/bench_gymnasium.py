#!/usr/bin/env python3
"""Gymnasium's Python API speed for its MuJoCo tasks: env steps per second.

Single process, single thread (BLAS/OpenMP threads pinned to 1), random
actions from a seeded action_space, reset on termination or truncation.
Each task is timed `--repeats` times (after a short warm-up) and the median
steps/s is printed. Resets count as overhead, not as steps.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import gymnasium as gym  # noqa: E402
import mujoco  # noqa: E402
import numpy as np  # noqa: E402

# Every Gymnasium MuJoCo id Repro runs, except Pusher-v4, which Gymnasium 1.4.0 refuses to make
# on MuJoCo 3 (its issue 950). The heavy robots step 10,000 times per repeat, the others 20,000.
HEAVY = {"Ant", "Humanoid", "HumanoidStandup"}
DEFAULT_STEPS = {
    f"{name}-{v}": (10_000 if name in HEAVY else 20_000)
    for v in ("v5", "v4")
    for name in ("Ant", "HalfCheetah", "Hopper", "Humanoid", "HumanoidStandup", "InvertedPendulum",
                 "InvertedDoublePendulum", "Pusher", "Reacher", "Swimmer", "Walker2d")
    if f"{name}-{v}" != "Pusher-v4"
}
# `make bench-gymnasium` without --tasks: the three tasks of the paper, as before.
PAPER_TASKS = ["Hopper-v5", "Walker2d-v5", "Humanoid-v5"]


def run_once(env, steps: int, seed: int) -> float:
    env.action_space.seed(seed)
    env.reset(seed=seed)
    sample = env.action_space.sample
    step = env.step
    reset = env.reset
    t0 = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = step(sample())
        if terminated or truncated:
            reset()
    return steps / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", nargs="*", default=PAPER_TASKS, help="Gymnasium ids, or 'all' (every id above)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps-scale", type=float, default=1.0,
                    help="multiply the default step counts (e.g. 0.1 for a smoke run)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    print(f"gymnasium {gym.__version__}, mujoco {mujoco.__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()}, cpus {os.cpu_count()}")
    results = {}
    tasks = list(DEFAULT_STEPS) if args.tasks == ["all"] else args.tasks
    for task in tasks:
        steps = max(1, int(DEFAULT_STEPS[task] * args.steps_scale))
        env = gym.make(task)
        run_once(env, min(1000, steps), seed=12345)  # warm-up
        rates = [run_once(env, steps, seed=r) for r in range(args.repeats)]
        env.close()
        med = statistics.median(rates)
        results[task] = {"steps": steps, "repeats": args.repeats, "median_steps_per_s": med,
                         "runs_steps_per_s": rates}
        print(f"{task:26s} {steps:6d} steps x {args.repeats}: median {med:9.0f} steps/s "
              f"(min {min(rates):.0f}, max {max(rates):.0f})", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Gymnasium's Python API speed for the v5 tasks: env steps per second.

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

DEFAULT_STEPS = {"Hopper-v5": 20_000, "Walker2d-v5": 20_000, "Humanoid-v5": 10_000}


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
    ap.add_argument("--tasks", nargs="*", default=list(DEFAULT_STEPS))
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps-scale", type=float, default=1.0,
                    help="multiply the default step counts (e.g. 0.1 for a smoke run)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()

    print(f"gymnasium {gym.__version__}, mujoco {mujoco.__version__}, numpy {np.__version__}, "
          f"python {platform.python_version()}, cpus {os.cpu_count()}")
    results = {}
    for task in args.tasks:
        steps = max(1, int(DEFAULT_STEPS[task] * args.steps_scale))
        env = gym.make(task)
        run_once(env, min(1000, steps), seed=12345)  # warm-up
        rates = [run_once(env, steps, seed=r) for r in range(args.repeats)]
        env.close()
        med = statistics.median(rates)
        results[task] = {"steps": steps, "repeats": args.repeats, "median_steps_per_s": med,
                         "runs_steps_per_s": rates}
        print(f"{task:12s} {steps:6d} steps x {args.repeats}: median {med:9.0f} steps/s "
              f"(min {min(rates):.0f}, max {max(rates):.0f})", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

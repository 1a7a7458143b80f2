#!/usr/bin/env python3
"""Environment-only steps/s of the Gymnasium loop used by ppo_continuous_action.py.

Times, with seeded random actions and no torch in the loop:
  stack  - CleanRL's wrapper stack in a 1-env SyncVectorEnv (AutoresetMode.SAME_STEP),
           exactly as ppo_continuous_action.py builds it (env.step + autoreset + wrappers);
  bare   - plain gym.make(env_id) with manual reset on termination/truncation
           (the same loop as scripts/parity/bench_gymnasium.py).
Single process, single thread; median of --repeats after a short warm-up.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402


def load_make_env():
    # reuse the PPO script's make_env so that the wrapper stack is the same code
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ppo_continuous_action.py")
    spec = importlib.util.spec_from_file_location("ppo_continuous_action", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make_env


def time_stack(make_env, env_id, steps, seed):
    envs = gym.vector.SyncVectorEnv([make_env(env_id, 0, 0.99)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    envs.action_space.seed(seed)
    envs.reset(seed=seed)
    sample, step = envs.action_space.sample, envs.step
    t0 = time.perf_counter()
    for _ in range(steps):
        step(sample())
    dt = time.perf_counter() - t0
    envs.close()
    return steps / dt


def time_bare(env_id, steps, seed):
    env = gym.make(env_id)
    env.action_space.seed(seed)
    env.reset(seed=seed)
    sample, step, reset = env.action_space.sample, env.step, env.reset
    t0 = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = step(sample())
        if terminated or truncated:
            reset()
    dt = time.perf_counter() - t0
    env.close()
    return steps / dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env-id", default="Hopper-v5")
    ap.add_argument("--steps", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    make_env = load_make_env()
    print(f"gymnasium {gym.__version__}, numpy {np.__version__}, {args.env_id}, "
          f"{args.steps} random-action steps x {args.repeats}")
    time_stack(make_env, args.env_id, 1000, 12345)  # warm-up
    time_bare(args.env_id, 1000, 12345)
    for name, fn in (("stack", lambda s: time_stack(make_env, args.env_id, args.steps, s)),
                     ("bare", lambda s: time_bare(args.env_id, args.steps, s))):
        rates = [fn(seed) for seed in range(args.repeats)]
        print(f"env_only_{name}_steps_per_s median {statistics.median(rates):.0f} "
              f"(runs: {', '.join(f'{r:.0f}' for r in rates)})", flush=True)


if __name__ == "__main__":
    main()

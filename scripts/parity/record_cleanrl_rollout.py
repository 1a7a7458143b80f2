#!/usr/bin/env python3
"""Record what CleanRL's environment stack gives its learner, for CleanRLRolloutParityTests.

CleanRL's ppo_continuous_action.py (vwxyzjn/cleanrl@35896b1, L88-L103; the same lines as
scripts/torchppo/ppo_continuous_action.py's make_env) wraps each task in
FlattenObservation, RecordEpisodeStatistics, ClipAction, NormalizeObservation, clip ±10,
NormalizeReward(gamma 0.99), clip ±10, inside a one-env SyncVectorEnv that resets in the
step that ends an episode (AutoresetMode.SAME_STEP, as the Gymnasium 0.28/0.29 CleanRL
targets). This script drives that stack, under Gymnasium 1.4.0, with a fixed action sequence
and records, step by step, the observation and reward the learner stores and the two flags.
It also runs CleanRL's GAE (L233-L246, numpy float64 instead of torch float32) over the recorded
rewards and flags, cut into iterations of NUM_STEPS steps, with values from a formula of the
step index, and records each step's advantage. The Swift test drives Repro's Actor (the CleanRL
preset's normalisers) with the same actions and the recorded reset states, computes the
preset's advantages from what its actor stored, and compares.

Gymnasium 1.4's NormalizeObservation starts its statistics as float32 (mean 0, var 1, so that the
first update's var * count is float32(1e-4)); after that first update they are float64. The
0.28.1 that CleanRL's benchmark ran, and Repro's preset, keep them float64 throughout. The
recording restores 0.28.1's float64 statistics (the one change to the stack) and counts, by
running the unchanged 1.4 stack beside it, how many float32 observation values 1.4's start moves
("observationValuesMovedByGymnasium14"): that is a difference of the PyTorch side of
scripts/torchppo/crosscheck.py, which runs Gymnasium 1.4.

Two changes from the training runs, both to make the check sharper, not different:
- TimeLimit is --max-episode-steps (default 12) instead of 1000, so that truncations (where
  NormalizeReward keeps its running return) occur between terminations (where it restarts);
- actions are float64 and reach 1.5x the bounds, so that ClipAction binds; CleanRL's are
  torch float32 samples.

Output Tests/AlgorithmsTests/Fixtures/cleanrl-rollout-<Task>.bin, little-endian float64:
  header: version=1, nq, nv, obsSize, actionSize, totalSteps, maxEpisodeSteps
  then records, each starting with a tag:
    tag 0.0  reset:  qpos (nq), qvel (nv): env.unwrapped.data right after a reset, recorded by
                     a wrapper directly around gym.make's env (it changes nothing else); the first
                     is envs.reset(seed=0), the others the vector env's autoresets
    tag 1.0  initial observation (obsSize): what envs.reset(seed=0) returned
    tag 2.0  step:   observation (obsSize, the vector env's float32 widened to float64: after an
                     episode's end the reset's), reward, terminated (0/1), truncated (0/1),
                     advantage (CleanRL's GAE, see above)
  A reset record comes before the step record of the step in which it happened.
and a .json beside it with provenance and counts.

Action at 0-based global step t for action index i (high = action_space.high as float64):
  a[i] = 1.5 * high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0)
Value of the observation the policy acts on at step t (t = totalSteps: after the last step):
  V(t) = float((t * 37) % 101) / 10.0 - 5.0 + 0.001 * t
"""
from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shlex
import struct
import sys

import numpy as np

TASKS = {"Hopper-v5": 1200, "Walker2d-v5": 1200}
VERSION = 1
GAMMA = 0.99
GAE_LAMBDA = 0.95
NUM_STEPS = 200  # steps per iteration for the GAE (CleanRL's 2048, shortened: 6 iterations)
ACTION_FORMULA = ("a[i] = 1.5 * high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0), "
                  "t = 0-based global step, i = action index, high = action_space.high as float64")


def action_for(t: int, high: np.ndarray) -> np.ndarray:
    return np.array([1.5 * high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0)
                     for i in range(high.shape[0])], dtype=np.float64)


def value_for(t: int) -> float:
    return float((t * 37) % 101) / 10.0 - 5.0 + 0.001 * t


def cleanrl_advantages(rewards: list, ended: list) -> list:
    """CleanRL's L233-L246 over consecutive iterations of NUM_STEPS steps; ended[t] = the step
    ended an episode (CleanRL's next_done after it). dones[t] is the flag before step t."""
    advantages_all = []
    for start in range(0, len(rewards), NUM_STEPS):
        values = np.array([value_for(start + t) for t in range(NUM_STEPS)])
        dones = np.array([float(ended[start + t - 1]) if start + t > 0 else 0.0 for t in range(NUM_STEPS)])
        next_value, next_done = value_for(start + NUM_STEPS), float(ended[start + NUM_STEPS - 1])
        advantages = np.zeros(NUM_STEPS)
        lastgaelam = 0
        for t in reversed(range(NUM_STEPS)):
            if t == NUM_STEPS - 1:
                nextnonterminal = 1.0 - next_done
                nextvalues = next_value
            else:
                nextnonterminal = 1.0 - dones[t + 1]
                nextvalues = values[t + 1]
            delta = rewards[start + t] + GAMMA * nextvalues * nextnonterminal - values[t]
            advantages[t] = lastgaelam = delta + GAMMA * GAE_LAMBDA * nextnonterminal * lastgaelam
        advantages_all.extend(advantages.tolist())
    return advantages_all


def record(task: str, total_steps: int, max_episode_steps: int, float64_statistics: bool = True):
    import gymnasium as gym
    from gymnasium.wrappers.utils import RunningMeanStd

    out: list[float] = []

    class RecordResets(gym.Wrapper):
        def reset(self, **kwargs):
            obs, info = self.env.reset(**kwargs)
            out.append(0.0)
            out.extend(np.asarray(self.env.unwrapped.data.qpos, dtype=np.float64).tolist())
            out.extend(np.asarray(self.env.unwrapped.data.qvel, dtype=np.float64).tolist())
            return obs, info

    def thunk():  # CleanRL's make_env, with the TimeLimit and the reset recorder
        env = RecordResets(gym.make(task, max_episode_steps=max_episode_steps))
        env = gym.wrappers.FlattenObservation(env)
        env = gym.wrappers.RecordEpisodeStatistics(env)
        env = gym.wrappers.ClipAction(env)
        env = gym.wrappers.NormalizeObservation(env)
        if float64_statistics:  # 0.28.1's RunningMeanStd(shape): float64 from the start
            env.obs_rms = RunningMeanStd(shape=env.observation_space.shape, dtype=np.float64)
        env = gym.wrappers.TransformObservation(env, lambda obs: np.clip(obs, -10, 10), None)
        env = gym.wrappers.NormalizeReward(env, gamma=GAMMA)
        env = gym.wrappers.TransformReward(env, lambda reward: np.clip(reward, -10, 10))
        return env

    envs = gym.vector.SyncVectorEnv([thunk], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    u = envs.envs[0].unwrapped
    nq, nv = u.model.nq, u.model.nv
    obs_size = envs.single_observation_space.shape[0]
    high = u.action_space.high.astype(np.float64)  # the task's bounds (ClipAction widens the wrapped space to ±inf)
    header = [VERSION, nq, nv, obs_size, high.shape[0], total_steps, max_episode_steps]

    obs, _ = envs.reset(seed=0)
    out.append(1.0)
    out.extend(np.asarray(obs[0], dtype=np.float64).tolist())
    steps = []
    counts = {"resets": 1, "terminations": 0, "truncations": 0, "clippedRewards": 0, "clippedObservationValues": 0}
    for t in range(total_steps):
        obs, reward, terminated, truncated, _ = envs.step(action_for(t, high)[None, :])
        out.append(2.0)
        out.extend(np.asarray(obs[0], dtype=np.float64).tolist())
        out.extend([float(reward[0]), float(terminated[0]), float(truncated[0]), None])
        steps.append((len(out) - 1, float(reward[0]), bool(terminated[0] or truncated[0])))
        counts["terminations"] += int(terminated[0])
        counts["truncations"] += int(truncated[0] and not terminated[0])
        counts["resets"] += int(terminated[0] or truncated[0])
        counts["clippedRewards"] += int(abs(float(reward[0])) == 10.0)
        counts["clippedObservationValues"] += int(np.sum(np.abs(obs[0]) == 10.0))
    envs.close()
    assert total_steps % NUM_STEPS == 0
    for (slot, _, _), adv in zip(steps, cleanrl_advantages([r for _, r, _ in steps], [e for _, _, e in steps])):
        out[slot] = adv
    counts["iterationsEndingAnEpisode"] = sum(steps[k - 1][2] for k in range(NUM_STEPS, total_steps + 1, NUM_STEPS))
    return struct.pack("<%dd" % (len(header) + len(out)), *header, *out), header, counts


def moved(blob: bytes, other: bytes, header: list) -> tuple[int, int]:
    """(observation values that differ, observation values) between two recordings of one task."""
    a = struct.unpack("<%dd" % (len(blob) // 8), blob)
    b = struct.unpack("<%dd" % (len(other) // 8), other)
    nq, nv, obs = header[1], header[2], header[3]
    differ = total = 0
    p = len(header)
    while p < len(a):
        tag = a[p]
        assert b[p] == tag, "the two recordings must have the same records"
        n = {0.0: nq + nv, 1.0: obs, 2.0: obs + 4}[tag]
        if tag != 0.0:
            differ += sum(a[p + 1 + k] != b[p + 1 + k] for k in range(obs))
            total += obs
        p += 1 + n
    return differ, total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                  "Tests", "AlgorithmsTests", "Fixtures"))
    ap.add_argument("--tasks", nargs="*", default=list(TASKS))
    ap.add_argument("--max-episode-steps", type=int, default=12)
    args = ap.parse_args()

    import gymnasium
    import mujoco

    if gymnasium.__version__ != "1.4.0" or mujoco.__version__ != "3.3.7":
        print(f"record: need gymnasium 1.4.0 and mujoco 3.3.7, have {gymnasium.__version__} and "
              f"{mujoco.__version__}", file=sys.stderr)
        return 1
    out_dir = os.path.normpath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    cmd = " ".join(shlex.quote(a) for a in [os.path.relpath(sys.executable)] + sys.argv)
    for task in args.tasks:
        blob, header, counts = record(task, TASKS[task], args.max_episode_steps)
        blob14, _, _ = record(task, TASKS[task], args.max_episode_steps, float64_statistics=False)
        counts["observationValuesMovedByGymnasium14"], counts["observationValues"] = moved(blob, blob14, header)
        name = f"cleanrl-rollout-{task.split('-')[0]}"
        with open(os.path.join(out_dir, name + ".bin"), "wb") as f:
            f.write(blob)
        meta = {
            "task": task, "file": name + ".bin", "formatVersion": VERSION,
            "header": dict(zip(["version", "nq", "nv", "obsSize", "actionSize", "totalSteps", "maxEpisodeSteps"],
                               header)),
            **counts,
            "gamma": GAMMA, "gaeLambda": GAE_LAMBDA, "stepsPerIteration": NUM_STEPS,
            "firstResetSeed": 0, "actionFormula": ACTION_FORMULA,
            "valueFormula": "V(t) = float((t * 37) % 101) / 10.0 - 5.0 + 0.001 * t",
            "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
            "versions": {"gymnasium": gymnasium.__version__, "mujoco": mujoco.__version__,
                         "numpy": np.__version__, "python": sys.version.split()[0]},
            "command": cmd,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        print(f"{name}.bin: {len(blob)} bytes, {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

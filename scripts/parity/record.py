#!/usr/bin/env python3
"""Record Gymnasium v5 reference trajectories for the Swift parity tests.

For each task, runs `gym.make(task)` with the default v5 settings (TimeLimit
1000) under a deterministic action formula and writes

  Tests/EnvironmentsTests/Fixtures/<Task>.bin   (little-endian float64 stream)
  Tests/EnvironmentsTests/Fixtures/<Task>.json  (provenance)
(<Task> is Hopper, Walker2d, Humanoid for v5, and the full id, e.g. Hopper-v4, otherwise.)

.bin layout (every value a little-endian float64):
  header: version=1, nq, nv, obsSize, actionSize, totalSteps
  records, each starting with a tag:
    tag 0.0  reset: qpos (nq, env.unwrapped.data.qpos right after reset),
                    qvel (nv), observation returned by reset (obsSize)
    tag 1.0  step:  observation (obsSize), reward, terminated (0/1),
                    truncated (0/1), info["x_velocity"]
The first record is a reset with env.reset(seed=0); after a step with
terminated or truncated the next record is a reset with env.reset() (no seed).
Recording stops after totalSteps step records (no trailing reset).

Actions, with t the 0-based global step index (across episodes), i the action
index and high = env.action_space.high as float64 (float32 ctrlrange widened):
  a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0)

Format 2 (every task id, `<Gymnasium id>.steps.bin`, e.g. `Ant-v5.steps.bin`; STEP_TASKS below):
the same records, with a short TimeLimit so that truncations occur, and actions at and
beyond the bounds. Header: version=2, nq, nv, obsSize, actionSize, totalSteps,
maxEpisodeSteps. The step record's last value is info["x_velocity"], or 0.0 for a task
whose info has none. Actions (low = env.action_space.low as float64):
  t % 7 == 3:  a[i] = high[i] if (t + i) % 2 == 0 else low[i]          (exactly at the bounds)
  otherwise:   a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2501) - 1250) / 1000.0)
                                                                   (up to 1.25 x the bounds)
Pusher-v4: Gymnasium 1.4.0 refuses to make it on mujoco >= 3 (its issue 950: pusher.xml
simulates differently there); it is recorded with that version check bypassed, i.e. v4's
own code run on MuJoCo 3.3.7, which is what Repro's Pusher-v4 is.
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

TASKS = {"Hopper-v5": 1500, "Walker2d-v5": 1500, "Humanoid-v5": 1000,
         # v4 (same Gymnasium 1.4.0 wheel); Humanoid-v4's 376 observations keep its file under ~2 MB
         "Hopper-v4": 1500, "Walker2d-v4": 1500, "Humanoid-v4": 600}
VERSION = 1
ACTION_FORMULA = (
    "a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0), "
    "t = 0-based global step index across episodes, i = action index, "
    "high = env.action_space.high.astype(float64); passed to env.step as a float64 array"
)
MAX_BYTES = 3 * 1024 * 1024 + 512 * 1024  # ~3 MB budget for the largest fixture

# Format 2: every Gymnasium MuJoCo task id -> (steps, maxEpisodeSteps). The time limit is
# short so that an episode is truncated; where the task can terminate, some episodes end
# earlier by termination (verify_v2 checks both).
STEP_TASKS = {
    "Ant-v5": (300, 100), "Ant-v4": (300, 100),
    "HalfCheetah-v5": (200, 80), "HalfCheetah-v4": (200, 80),
    "Hopper-v5": (300, 40), "Hopper-v4": (300, 40),
    "Humanoid-v5": (120, 25), "Humanoid-v4": (120, 25),
    "HumanoidStandup-v5": (80, 30), "HumanoidStandup-v4": (80, 30),
    "InvertedPendulum-v5": (200, 8), "InvertedPendulum-v4": (200, 8),
    "InvertedDoublePendulum-v5": (200, 7), "InvertedDoublePendulum-v4": (200, 7),
    "Pusher-v5": (250, 100), "Pusher-v4": (250, 100),
    "Reacher-v5": (200, 50), "Reacher-v4": (200, 50),
    "Swimmer-v5": (200, 80), "Swimmer-v4": (200, 80),
    "Walker2d-v5": (300, 30), "Walker2d-v4": (300, 30),
}
# Tasks whose episodes cannot terminate (Gymnasium returns terminated=False always).
NEVER_TERMINATE = {"HalfCheetah", "HumanoidStandup", "Pusher", "Reacher", "Swimmer"}
ACTION_FORMULA_V2 = (
    "t % 7 == 3: a[i] = high[i] if (t + i) % 2 == 0 else low[i]; otherwise "
    "a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2501) - 1250) / 1000.0); "
    "t = 0-based global step index across episodes, i = action index, high/low = "
    "env.action_space.high/low.astype(float64); passed to env.step as a float64 array"
)


def make_env(task: str, **kwargs):
    """gym.make(task, **kwargs); Pusher-v4 with Gymnasium's mujoco<3 guard bypassed (see above)."""
    import gymnasium as gym
    import mujoco
    if task != "Pusher-v4":
        return gym.make(task, **kwargs)
    real = mujoco.__version__
    mujoco.__version__ = "2.3.7"
    try:
        return gym.make(task, **kwargs)
    finally:
        mujoco.__version__ = real


def action_v2(t: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    a = np.empty(high.shape[0], dtype=np.float64)
    for i in range(high.shape[0]):
        if t % 7 == 3:
            a[i] = high[i] if (t + i) % 2 == 0 else low[i]
        else:
            a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2501) - 1250) / 1000.0)
    return a


def record_v2(task: str, total_steps: int, max_steps: int):
    env = make_env(task, max_episode_steps=max_steps)
    high = env.action_space.high.astype(np.float64)
    low = env.action_space.low.astype(np.float64)
    blob, dims, resets, terminations, truncations, beyond = rollout(
        env, [2, max_steps], total_steps, lambda t: action_v2(t, low, high))
    return blob, dims, resets, terminations, truncations, beyond, low.tolist(), high.tolist()


def verify_v2(task: str, blob: bytes, total_steps: int, max_steps: int, resets: int) -> None:
    v = struct.unpack("<%dd" % (len(blob) // 8), blob)
    assert len(blob) % 8 == 0 and v[0] == 2.0
    nq, nv, obs, act, total, limit = (int(x) for x in v[1:7])
    assert (total, limit) == (total_steps, max_steps)
    p, run, steps, rsts, terms, truncs = 7, 0, 0, 0, 0, 0
    ended = True
    while p < len(v):
        tag = v[p]
        p += 1
        if tag == 0.0:
            assert ended, "a reset only after an episode ended"
            p += nq + nv + obs
            rsts, run, ended = rsts + 1, 0, False
        else:
            assert tag == 1.0 and not ended
            term, trunc = v[p + obs + 1], v[p + obs + 2]
            assert term in (0.0, 1.0) and trunc in (0.0, 1.0)
            p += obs + 4
            steps, run = steps + 1, run + 1
            assert (trunc == 1.0) == (run == limit), "TimeLimit truncates at maxEpisodeSteps"
            terms, truncs = terms + int(term), truncs + int(trunc)
            ended = term == 1.0 or trunc == 1.0
    assert p == len(v) and steps == total_steps and rsts == resets
    assert truncs >= 1, f"{task}: no truncation recorded"
    if task.split("-")[0] not in NEVER_TERMINATE:
        assert terms >= 1, f"{task}: no termination recorded"


def action_for(t: int, high: np.ndarray) -> np.ndarray:
    a = np.empty(high.shape[0], dtype=np.float64)
    for i in range(high.shape[0]):
        a[i] = high[i] * (float(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0)
    return a


def record(task: str, total_steps: int):
    import gymnasium as gym

    env = gym.make(task)
    high = env.action_space.high.astype(np.float64)
    blob, dims, resets, terminations, truncations, _ = rollout(
        env, [VERSION], total_steps, lambda t: action_for(t, high))
    return blob, dims, resets, terminations, truncations


def rollout(env, version_header: list, total_steps: int, action):
    """Steps `env` through `action(t)`, resetting after each episode end; returns the fixture
    (header: version_header[0], nq, nv, obsSize, actionSize, totalSteps, version_header[1:]...)."""
    u = env.unwrapped
    nq, nv = u.model.nq, u.model.nv
    obs_size = env.observation_space.shape[0]
    high = env.action_space.high.astype(np.float64)
    low = env.action_space.low.astype(np.float64)
    act_size = high.shape[0]
    out: list[float] = [version_header[0], nq, nv, obs_size, act_size, total_steps] + version_header[1:]

    def put_reset(obs):
        assert obs.shape == (obs_size,) and obs.dtype == np.float64
        out.append(0.0)
        out.extend(np.asarray(u.data.qpos, dtype=np.float64).tolist())
        out.extend(np.asarray(u.data.qvel, dtype=np.float64).tolist())
        out.extend(obs.tolist())

    obs, _ = env.reset(seed=0)
    put_reset(obs)
    resets, terminations, truncations, beyond = 1, 0, 0, 0
    for t in range(total_steps):
        a = action(t)
        beyond += int(np.any(a > high) or np.any(a < low))
        obs, reward, terminated, truncated, info = env.step(a)
        assert obs.shape == (obs_size,) and obs.dtype == np.float64
        out.append(1.0)
        out.extend(obs.tolist())
        out.extend([float(reward), 1.0 if terminated else 0.0,
                    1.0 if truncated else 0.0, float(info.get("x_velocity", 0.0))])
        terminations += bool(terminated)
        truncations += bool(truncated)
        if (terminated or truncated) and t + 1 < total_steps:
            obs, _ = env.reset()
            put_reset(obs)
            resets += 1
    env.close()
    blob = struct.pack("<%dd" % len(out), *out)
    dims = dict(nq=nq, nv=nv, obsSize=obs_size, actionSize=act_size)
    return blob, dims, resets, terminations, truncations, beyond


def parse(blob: bytes):
    """Parse a fixture; returns (header dict, list of (tag, values))."""
    if len(blob) % 8:
        raise ValueError("length not a multiple of 8")
    v = struct.unpack("<%dd" % (len(blob) // 8), blob)
    version, nq, nv, obs, act, total = v[:6]
    if version != 1.0:
        raise ValueError(f"bad version {version}")
    nq, nv, obs, act, total = (int(x) for x in (nq, nv, obs, act, total))
    recs = []
    p = 6
    while p < len(v):
        tag = v[p]
        p += 1
        if tag == 0.0:
            n = nq + nv + obs
        elif tag == 1.0:
            n = obs + 4
        else:
            raise ValueError(f"bad tag {tag} at value {p - 1}")
        if p + n > len(v):
            raise ValueError("truncated record")
        recs.append((tag, v[p:p + n]))
        p += n
    hdr = dict(version=1, nq=nq, nv=nv, obsSize=obs, actionSize=act, totalSteps=total)
    return hdr, recs


def verify(blob: bytes, total_steps: int, resets: int) -> None:
    hdr, recs = parse(blob)
    steps = [r for r in recs if r[0] == 1.0]
    rsts = [r for r in recs if r[0] == 0.0]
    assert hdr["totalSteps"] == total_steps == len(steps), (hdr, len(steps))
    assert len(rsts) == resets, (len(rsts), resets)
    assert recs[0][0] == 0.0, "first record must be a reset"
    obs = hdr["obsSize"]
    # A reset follows exactly the steps that ended an episode (except the last step).
    for k in range(1, len(recs)):
        prev_tag, prev = recs[k - 1]
        tag = recs[k][0]
        ended = prev_tag == 1.0 and (prev[obs + 1] == 1.0 or prev[obs + 2] == 1.0)
        assert (tag == 0.0) == ended, f"record {k}: reset/episode-end mismatch"
        if tag == 1.0:
            for f in (recs[k][1][obs + 1], recs[k][1][obs + 2]):
                assert f in (0.0, 1.0)
    # TimeLimit: at most 1000 steps per episode.
    run = 0
    for tag, vals in recs:
        if tag == 0.0:
            run = 0
        else:
            run += 1
            assert run <= 1000
            assert (vals[obs + 2] == 1.0) == (run == 1000), "truncation not at step 1000"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..",
        "Tests", "EnvironmentsTests", "Fixtures"))
    ap.add_argument("--tasks", nargs="*", default=list(TASKS), help="format-1 fixtures")
    ap.add_argument("--step-tasks", nargs="*", default=list(STEP_TASKS), help="format-2 fixtures")
    args = ap.parse_args()

    import gymnasium
    import mujoco

    if gymnasium.__version__ != "1.4.0" or mujoco.__version__ != "3.3.7":
        print(f"record: need gymnasium 1.4.0 and mujoco 3.3.7, have "
              f"{gymnasium.__version__} and {mujoco.__version__}", file=sys.stderr)
        return 1
    out_dir = os.path.normpath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    exe = sys.executable
    try:
        rel = os.path.relpath(exe)
        if not rel.startswith(".."):
            exe = rel
    except ValueError:
        pass
    cmd = " ".join(shlex.quote(a) for a in [exe] + sys.argv)
    cmd += "  (via `make parity-fixtures`)" if os.environ.get("MAKELEVEL") else ""
    status = 0
    for task in args.tasks:
        total = TASKS[task]
        blob, dims, resets, terms, truncs = record(task, total)
        verify(blob, total, resets)
        # v5 fixtures keep their first names (Hopper.bin); other versions are named by their id.
        name = task.split("-")[0] if task.endswith("-v5") else task
        bin_path = os.path.join(out_dir, f"{name}.bin")
        with open(bin_path, "wb") as f:
            f.write(blob)
        with open(bin_path, "rb") as f:  # re-read what is on disk
            on_disk = f.read()
        assert on_disk == blob
        verify(on_disk, total, resets)
        digest = hashlib.sha256(on_disk).hexdigest()
        meta = {
            "task": task,
            "file": f"{name}.bin",
            "format": "little-endian float64; header [version=1, nq, nv, obsSize, actionSize, "
                      "totalSteps]; records tagged 0.0 (reset: qpos, qvel, obs) or "
                      "1.0 (step: obs, reward, terminated, truncated, info['x_velocity'])",
            "formatVersion": VERSION,
            **dims,
            "totalSteps": total,
            "resets": resets,
            "terminations": terms,
            "truncations": truncs,
            "firstResetSeed": 0,
            "laterResets": "env.reset() without a seed (np_random stream continues)",
            "makeArgs": f"gym.make({task!r}) (default {task.split('-')[-1]} settings, TimeLimit 1000)",
            "actionFormula": ACTION_FORMULA,
            "actionHigh": env_high(task),
            "bytes": len(on_disk),
            "sha256": digest,
            "versions": {
                "gymnasium": gymnasium.__version__,
                "mujoco": mujoco.__version__,
                "numpy": np.__version__,
                "python": sys.version.split()[0],
            },
            "command": cmd,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        }
        with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        print(f"{task}: {len(on_disk)} bytes, {total} steps, {resets} resets "
              f"({terms} terminated, {truncs} truncated), sha256 {digest}")
        if len(on_disk) > MAX_BYTES:
            print(f"record: WARNING {bin_path} is {len(on_disk)} bytes, over the ~3 MB budget",
                  file=sys.stderr)
            status = 2
    for task in args.step_tasks:
        total, limit = STEP_TASKS[task]
        blob, dims, resets, terms, truncs, beyond, low, high = record_v2(task, total, limit)
        verify_v2(task, blob, total, limit, resets)
        bin_path = os.path.join(out_dir, f"{task}.steps.bin")
        with open(bin_path, "wb") as f:
            f.write(blob)
        with open(bin_path, "rb") as f:
            on_disk = f.read()
        assert on_disk == blob
        verify_v2(task, on_disk, total, limit, resets)
        digest = hashlib.sha256(on_disk).hexdigest()
        meta = {
            "task": task, "file": f"{task}.steps.bin",
            "format": "little-endian float64; header [version=2, nq, nv, obsSize, actionSize, totalSteps, "
                      "maxEpisodeSteps]; records tagged 0.0 (reset: qpos, qvel, obs) or 1.0 (step: obs, "
                      "reward, terminated, truncated, info['x_velocity'] or 0.0 where the task has none)",
            "formatVersion": 2, **dims, "totalSteps": total, "maxEpisodeSteps": limit,
            "resets": resets, "terminations": terms, "truncations": truncs,
            "stepsWithActionsBeyondBounds": beyond,
            "firstResetSeed": 0,
            "laterResets": "env.reset() without a seed (np_random stream continues)",
            "makeArgs": f"gym.make({task!r}, max_episode_steps={limit}) (default constructor arguments)"
                        + (" with Gymnasium's mujoco<3 guard bypassed" if task == "Pusher-v4" else ""),
            "actionFormula": ACTION_FORMULA_V2, "actionLow": low, "actionHigh": high,
            "bytes": len(on_disk), "sha256": digest,
            "versions": {"gymnasium": gymnasium.__version__, "mujoco": mujoco.__version__,
                         "numpy": np.__version__, "python": sys.version.split()[0]},
            "command": cmd,
        }
        with open(os.path.join(out_dir, f"{task}.steps.json"), "w") as f:
            json.dump(meta, f, indent=2)
            f.write("\n")
        print(f"{task}: {len(on_disk)} bytes, {total} steps (limit {limit}), {resets} resets "
              f"({terms} terminated, {truncs} truncated), {beyond} steps beyond the bounds")
    return status


def env_high(task: str) -> list[float]:
    import gymnasium as gym
    env = gym.make(task)
    h = env.action_space.high.astype(np.float64).tolist()
    env.close()
    return h


if __name__ == "__main__":
    sys.exit(main())

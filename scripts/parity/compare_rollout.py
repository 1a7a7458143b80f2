#!/usr/bin/env python3
"""Compare `repro env rollout` with Gymnasium 1.4.0, value for value (tolerance 0.0).

Writes an actions file per task (actions inside, at and beyond the bounds; a reset
marker after every episode end, every second one with a seed), steps Gymnasium
through it (env.reset(seed=S) first, env.reset() or env.reset(seed=N) at each
marker), runs `repro env rollout` on the same file, and requires every observation,
reward, terminated/truncated flag, x_velocity, qpos and qvel to be equal (Python
floats parsed from repro's text, compared with ==). Needs the parity venv and a built
repro: `make parity-rollout` (REPRO=path to override).

  compare_rollout.py [--repro PATH] [--tasks ...] [--steps N] [--seed S] [--format csv|jsonl]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TASKS = ["Hopper-v5", "Walker2d-v5", "Humanoid-v5", "Hopper-v4", "Walker2d-v4", "Humanoid-v4"]


def action_for(t: int, high: np.ndarray) -> np.ndarray:
    # Scales -1.5 .. 1.5 of the bound: a third of the values beyond it, some exactly at it.
    return np.array([high[i] * (float(((t * 7919 + i * 104729) % 31) - 15) / 10.0) for i in range(high.shape[0])])


def gymnasium_side(task: str, seed: int, steps: int, fmt: str, path: str):
    import gymnasium as gym
    env = gym.make(task)
    u = env.unwrapped
    high = env.action_space.high.astype(np.float64)
    rows, lines = [], []

    def snap(kind, obs, **kw):
        rows.append(dict(kind=kind, observation=[float(x) for x in obs],
                         qpos=[float(x) for x in u.data.qpos], qvel=[float(x) for x in u.data.qvel], **kw))

    obs, _ = env.reset(seed=seed)
    snap("reset", obs)
    resets = 0
    for t in range(steps):
        a = action_for(t, high)
        lines.append(("action", a))
        obs, r, term, trunc, info = env.step(a)
        snap("step", obs, reward=float(r), terminated=bool(term), truncated=bool(trunc),
             x_velocity=float(info["x_velocity"]))
        if term or trunc:
            resets += 1
            if resets % 2 == 0:
                lines.append(("reset", 1000 + resets))
                obs, _ = env.reset(seed=1000 + resets)
            else:
                lines.append(("reset", None))
                obs, _ = env.reset()
            snap("reset", obs)
    env.close()
    with open(path, "w") as f:
        if fmt == "csv":
            f.write(",".join(f"a{i}" for i in range(high.shape[0])) + "\n")
            for kind, v in lines:
                f.write(("reset" if v is None else f"reset,{v}") if kind == "reset"
                        else ",".join(repr(float(x)) for x in v))
                f.write("\n")
        else:
            for kind, v in lines:
                f.write(json.dumps({"reset": v}) if kind == "reset" else json.dumps([float(x) for x in v]))
                f.write("\n")
    return rows


def repro_side(repro: str, task: str, seed: int, path: str, fmt: str):
    out = subprocess.run([repro, "env", "rollout", "--task", task, "--seed", str(seed), "--actions", path,
                          "--format", fmt], check=True, capture_output=True, text=True).stdout
    if fmt == "jsonl":
        return [json.loads(line) for line in out.splitlines() if line.strip()]
    rows = []
    for rec in csv.DictReader(io.StringIO(out)):
        keys = list(rec)
        row = dict(kind=rec["kind"],
                   observation=[float(rec[k]) for k in keys if k.startswith("obs_")],
                   qpos=[float(rec[k]) for k in keys if k.startswith("qpos_")],
                   qvel=[float(rec[k]) for k in keys if k.startswith("qvel_")])
        if rec["kind"] == "step":
            row.update(reward=float(rec["reward"]), terminated=rec["terminated"] == "1",
                       truncated=rec["truncated"] == "1", x_velocity=float(rec["x_velocity"]))
        rows.append(row)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repro", default=os.environ.get("REPRO", ".build/release/repro"))
    ap.add_argument("--tasks", nargs="*", default=TASKS)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--format", choices=["csv", "jsonl"], default="jsonl")
    a = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for task in a.tasks:
            path = os.path.join(d, f"{task}.{a.format}")
            theirs = gymnasium_side(task, a.seed, a.steps, a.format, path)
            ours = repro_side(a.repro, task, a.seed, path, a.format)
            bad = []
            if len(ours) != len(theirs):
                bad.append(f"{len(ours)} rows from repro, {len(theirs)} from Gymnasium")
            values = 0
            for k, (o, t) in enumerate(zip(ours, theirs)):
                for key, tv in t.items():
                    ov = o.get(key)
                    tv_list = tv if isinstance(tv, list) else [tv]
                    ov_list = ov if isinstance(ov, list) else [ov]
                    values += len(tv_list)
                    if ov_list != tv_list:
                        bad.append(f"row {k} ({t['kind']}) {key}: repro {ov_list[:4]} gymnasium {tv_list[:4]}")
                        break
            steps = sum(1 for r in theirs if r["kind"] == "step")
            resets = len(theirs) - steps
            ends = sum(1 for r in theirs if r["kind"] == "step" and r["terminated"])
            truncs = sum(1 for r in theirs if r["kind"] == "step" and r["truncated"])
            verdict = "equal" if not bad else "DIFFERENT"
            print(f"{task}: {steps} steps, {resets} resets ({ends} terminations, {truncs} truncations), "
                  f"{values} values compared ({a.format}): {verdict}, largest difference "
                  f"{0.0 if not bad else 'see below'}")
            for b in bad[:5]:
                print("  " + b)
            failed += bool(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

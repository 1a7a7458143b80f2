#!/usr/bin/env python3
"""Independent check of the recorded fixtures against a hand-written model of
Gymnasium 1.4.0's Hopper/Walker2d/Humanoid-v5, using only the mujoco bindings.

Gymnasium is used for nothing but locating the XML assets. For every reset
record the state is loaded with mj_resetData + qpos/qvel + mj_forward; then
each step is simulated by hand (ctrl = action, frame_skip single mj_step calls,
mj_rnePostConstraint) and observation, reward, terminated, truncated and
x_velocity are computed with plain sequential Python float loops, the way a
Swift port would, and compared bit for bit with the recording. The state is
carried forward by our own simulation (never re-read from the recording) until
the next reset record.

It also checks:
  * the reset noise: init_qpos + U(-s, s, nq) then init_qvel + U(-s, s, nv)
    from Generator(PCG64(SeedSequence(0))), one stream across resets;
  * which float summation order reproduces the recorded rewards bit for bit
    (numpy's np.sum is pairwise with 8 accumulators for n >= 8).

Exit status 0 when everything matches exactly.
"""
from __future__ import annotations

import os
import struct
import sys

import mujoco
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from record import action_for, parse  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "Tests", "EnvironmentsTests", "Fixtures")


def assets_dir() -> str:
    import gymnasium.envs.mujoco as gm
    return os.path.join(os.path.dirname(gm.__file__), "assets")


SPEC = {
    "Hopper": dict(xml="hopper.xml", skip=4, noise=5e-3),
    "Walker2d": dict(xml="walker2d_v5.xml", skip=4, noise=5e-3),
    "Humanoid": dict(xml="humanoid.xml", skip=5, noise=1e-2),
}


# ---- summation models -------------------------------------------------------
def seq_sum(xs) -> float:
    s = 0.0
    for x in xs:
        s += float(x)
    return s


def np_pairwise_sum(xs) -> float:
    """Model of numpy's float64 add.reduce over a contiguous 1-D array
    (numpy/_core/src/umath/loops_utils.h.src, PW_BLOCKSIZE 128)."""
    xs = [float(x) for x in xs]

    def pw(a):
        n = len(a)
        if n < 8:
            res = -0.0
            for x in a:
                res += x
            return res
        if n <= 128:
            r = a[:8]
            i = 8
            while i < n - (n % 8):
                for j in range(8):
                    r[j] += a[i + j]
                i += 8
            res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n:
                res += a[i]
                i += 1
            return res
        n2 = n // 2
        n2 -= n2 % 8
        return pw(a[:n2]) + pw(a[n2:])

    return pw(xs)


# ---- model of the environments ----------------------------------------------
class Env:
    def __init__(self, name: str):
        self.name = name
        s = SPEC[name]
        self.m = mujoco.MjModel.from_xml_path(os.path.join(assets_dir(), s["xml"]))
        self.d = mujoco.MjData(self.m)
        self.skip = s["skip"]
        self.noise = s["noise"]
        self.dt = self.m.opt.timestep * self.skip
        self.init_qpos = self.d.qpos.copy()
        self.init_qvel = self.d.qvel.copy()
        lo_hi = self.m.actuator_ctrlrange.astype(np.float32)
        self.high = lo_hi[:, 1].astype(np.float64)
        self.elapsed = 0
        self.sum = seq_sum      # model of np.sum (reward terms, body_mass.sum())
        self.esum = seq_sum     # model of np.einsum("b,bj->j") (centre of mass)

    def reset_to(self, qpos, qvel):
        mujoco.mj_resetData(self.m, self.d)
        self.d.qpos[:] = qpos
        self.d.qvel[:] = qvel
        mujoco.mj_forward(self.m, self.d)
        self.elapsed = 0
        return self.obs()

    def obs(self):
        d = self.d
        if self.name in ("Hopper", "Walker2d"):
            v = [min(max(x, -10.0), 10.0) for x in d.qvel]
            return list(d.qpos[1:]) + v
        return (list(d.qpos[2:]) + list(d.qvel) + list(d.cinert[1:].ravel())
                + list(d.cvel[1:].ravel()) + list(d.qfrc_actuator[6:])
                + list(d.cfrc_ext[1:].ravel()))

    def healthy(self) -> bool:
        q, v = self.d.qpos, self.d.qvel
        if self.name == "Hopper":
            state = list(q[2:]) + list(v)
            return (all(-100.0 < x < 100.0 for x in state) and 0.7 < q[1] < float("inf")
                    and -0.2 < q[2] < 0.2)
        if self.name == "Walker2d":
            return 0.8 < q[1] < 2.0 and -1.0 < q[2] < 1.0
        return 1.0 < q[2] < 2.0

    def com_xy(self):
        mass = self.m.body_mass
        xipos = self.d.xipos
        num = [self.esum(mass[b] * xipos[b, j] for b in range(self.m.nbody)) for j in range(2)]
        den = self.sum(mass)
        return [num[0] / den, num[1] / den]

    def step(self, a):
        d = self.d
        if self.name == "Humanoid":
            before = self.com_xy()
        else:
            before = d.qpos[0]
        d.ctrl[:] = a
        for _ in range(self.skip):
            mujoco.mj_step(self.m, d)
        mujoco.mj_rnePostConstraint(self.m, d)
        if self.name == "Humanoid":
            after = self.com_xy()
            xvel = (after[0] - before[0]) / self.dt
        else:
            xvel = (d.qpos[0] - before) / self.dt
        obs = self.obs()
        healthy = self.healthy()
        if self.name == "Humanoid":
            forward = 1.25 * xvel
            ctrl = 0.1 * self.sum(c * c for c in d.ctrl)
            contact = 5e-7 * self.sum(x * x for x in d.cfrc_ext.ravel())
            contact = min(contact, 10.0)
            reward = (forward + (5.0 if healthy else 0.0)) - (ctrl + contact)
        else:
            forward = 1.0 * xvel
            ctrl = 1e-3 * self.sum(x * x for x in a)
            reward = (forward + (1.0 if healthy else 0.0)) - ctrl
        self.elapsed += 1
        terminated = not healthy
        truncated = self.elapsed >= 1000
        return obs, reward, terminated, truncated, xvel


def bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def same(a, b) -> bool:
    return len(a) == len(b) and all(bits(float(x)) == bits(float(y)) for x, y in zip(a, b))


def check_task(name: str, summer, esummer) -> dict:
    with open(os.path.join(FIX, f"{name}.bin"), "rb") as f:
        hdr, recs = parse(f.read())
    env = Env(name)
    env.sum = summer
    env.esum = esummer
    nq, nv, no = hdr["nq"], hdr["nv"], hdr["obsSize"]
    assert (nq, nv) == (env.m.nq, env.m.nv) and no == len(env.obs())
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(0)))
    stats = dict(resets=0, steps=0, obs_mismatch=0, reward_mismatch=0, flag_mismatch=0,
                 xvel_mismatch=0, noise_mismatch=0, reset_obs_mismatch=0, max_abs_reward_diff=0.0,
                 first_bad=None)
    t = 0
    for tag, vals in recs:
        if tag == 0.0:
            qpos, qvel, robs = vals[:nq], vals[nq:nq + nv], vals[nq + nv:]
            eq = env.init_qpos + rng.uniform(-env.noise, env.noise, size=nq)
            ev = env.init_qvel + rng.uniform(-env.noise, env.noise, size=nv)
            if not (same(eq, qpos) and same(ev, qvel)):
                stats["noise_mismatch"] += 1
            o = env.reset_to(np.array(qpos), np.array(qvel))
            if not same(o, robs):
                stats["reset_obs_mismatch"] += 1
            stats["resets"] += 1
            continue
        a = action_for(t, env.high)
        obs, rew, term, trunc, xvel = env.step(a)
        r_obs, r_rew, r_term, r_trunc, r_xvel = vals[:no], vals[no], vals[no + 1], vals[no + 2], vals[no + 3]
        bad = []
        if not same(obs, r_obs):
            stats["obs_mismatch"] += 1
            bad.append("obs")
        if bits(rew) != bits(r_rew):
            stats["reward_mismatch"] += 1
            stats["max_abs_reward_diff"] = max(stats["max_abs_reward_diff"], abs(rew - r_rew))
            bad.append("reward")
        if (float(term), float(trunc)) != (r_term, r_trunc):
            stats["flag_mismatch"] += 1
            bad.append("flags")
        if bits(xvel) != bits(r_xvel):
            stats["xvel_mismatch"] += 1
            bad.append("x_velocity")
        if bad and stats["first_bad"] is None:
            stats["first_bad"] = (t, bad)
        stats["steps"] += 1
        t += 1
    return stats


def check_numpy_sum_model() -> bool:
    rng = np.random.default_rng(1)
    ok = True
    for n in (3, 6, 7, 8, 14, 17, 23, 84, 130, 300):
        for _ in range(200):
            x = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, size=n)
            ok &= bits(float(np.sum(x))) == bits(np_pairwise_sum(x))
            ok &= bits(float(np.sum(np.square(x.reshape(-1, 1))))) == bits(np_pairwise_sum(x * x))
    return ok


def check_einsum_model() -> bool:
    rng = np.random.default_rng(2)
    ok = True
    for nb in (8, 14, 20):
        for _ in range(500):
            m = rng.random(nb) * 10.0
            x = rng.standard_normal((nb, 3)) * 10.0 ** rng.integers(-3, 4, size=(nb, 3))
            e = np.einsum("b,bj->j", m, x)
            for j in range(3):
                ok &= bits(float(e[j])) == bits(seq_sum(m[b] * x[b, j] for b in range(nb)))
    return ok


def main() -> int:
    print(f"mujoco {mujoco.__version__}, numpy {np.__version__}")
    print("numpy add.reduce model (pairwise, 8 accumulators) matches np.sum:",
          check_numpy_sum_model())
    print('np.einsum("b,bj->j") equals a sequential sum over b:', check_einsum_model())
    ok = True
    for name in SPEC:
        variants = (("all sequential", seq_sum, seq_sum),
                    ("all pairwise", np_pairwise_sum, np_pairwise_sum),
                    ("np.sum pairwise, einsum sequential", np_pairwise_sum, seq_sum))
        for label, summer, esummer in variants:
            st = check_task(name, summer, esummer)
            exact = all(st[k] == 0 for k in ("obs_mismatch", "reward_mismatch", "flag_mismatch",
                                              "xvel_mismatch", "noise_mismatch",
                                              "reset_obs_mismatch"))
            print(f"{name:9s} [{label}] exact={exact} {st}")
            if label.startswith("np.sum pairwise"):
                ok &= exact
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

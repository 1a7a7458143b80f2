#!/usr/bin/env python3
"""CleanRL's PPO update in PyTorch on a fixed problem: the reference for Repro's `jointUpdate`.

Writes Tests/AlgorithmsTests/Fixtures/cleanrl-update.json, which AlgorithmsTests'
CleanRLUpdateParityTests reads: Repro's CleanRL preset must move the parameters of both networks
as CleanRL's update loop does (ppo_continuous_action.py L256-L305 at vwxyzjn/cleanrl@35896b1,
the lines copied below), minibatch for minibatch.

The problem is defined by formulas that both sides evaluate (no random stream to share): a
[obs 11 -> 16 -> 16 -> act 3] tanh policy with a state-independent log-std and an
[11 -> 16 -> 16 -> 1] tanh value network, their parameters set from sines in Repro's flat
layout (layer by layer, weights input-major then biases, then the log-std); 128 samples of
observations, actions and advantages from sines; old log-probabilities and old values from the
initial networks, offset by sines so that the ratio clip and the value clip bind from the first
minibatch; 4 epochs of 4 minibatches of 32 in a fixed order ((37 i + 11 e + 5) mod 128); learning
rate 1e-3 annealed at iteration 4 of 10 (factor 0.7), Adam eps 1e-5, clip 0.2 (policy and value),
vf_coef 0.5, max_grad_norm 0.5, ent_coef 0, advantages normalised per minibatch.

The update runs in float64 for the fixture's parameters and losses, and again in float32, as
CleanRL's does: the largest parameter difference between the two is recorded, so that the Swift
test (Float networks, Double losses) can state its tolerance against that spread.

  .venv/torchppo/bin/python scripts/torchppo/update_parity.py      # rewrites the fixture
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ppo_continuous_action import Agent as CleanRLAgent  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "AlgorithmsTests", "Fixtures", "cleanrl-update.json")

OBS, ACT, HIDDEN, N, MINIBATCHES, EPOCHS = 11, 3, [16, 16], 128, 4, 4
LR, ITERATIONS, ITERATION = 1e-3, 10, 3  # 0-based iteration 3: CleanRL's iteration 4, frac 0.7
CLIP, VF_COEF, MAX_GRAD_NORM, ENT_COEF = 0.2, 0.5, 0.5, 0.0


def policy_parameter(i):
    return 0.4 * math.sin(1.7 * i + 0.5)


def value_parameter(i):
    return 0.4 * math.sin(1.3 * i + 0.2)


def observation(s, k):
    return 1.5 * math.sin(0.9 * s + 2.3 * k + 0.3)


def action(s, d):
    return 0.8 * math.sin(1.3 * s + 0.7 * d + 1.1)


def advantage(s):
    return 2.0 * math.sin(0.45 * s + 0.2) + 0.5


def log_prob_offset(s):
    return 0.3 * math.sin(0.8 * s)


def value_offset(s):
    return 0.4 * math.sin(0.6 * s + 1.0)


def order(epoch):
    idx = [(37 * i + 11 * epoch + 5) % N for i in range(N)]
    size = N // MINIBATCHES
    return [idx[m * size:(m + 1) * size] for m in range(MINIBATCHES)]


def mlp(sizes, out_dim):
    layers = []
    dims = [OBS] + sizes
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    layers.append(nn.Linear(dims[-1], out_dim))
    return nn.Sequential(*layers)


def linear_layers(seq):
    return [m for m in seq if isinstance(m, nn.Linear)]


def load_flat(seq, flat):
    """Repro's layout: per layer, weights input-major (flat[k * nOut + j] = weight[j][k]), then biases."""
    o = 0
    with torch.no_grad():
        for lin in linear_layers(seq):
            n_out, n_in = lin.weight.shape
            w = torch.tensor(flat[o:o + n_in * n_out], dtype=lin.weight.dtype).reshape(n_in, n_out).t()
            lin.weight.copy_(w)
            o += n_in * n_out
            lin.bias.copy_(torch.tensor(flat[o:o + n_out], dtype=lin.bias.dtype))
            o += n_out
    return o


def dump_flat(seq):
    out = []
    for lin in linear_layers(seq):
        out += lin.weight.detach().t().reshape(-1).tolist() + lin.bias.detach().tolist()
    return out


class Agent(CleanRLAgent):
    """CleanRL's Agent (L111-L138) with its get_action_and_value; sizes and initialisation replaced by the formulas."""

    def __init__(self):
        nn.Module.__init__(self)
        self.critic = mlp(HIDDEN, 1)
        self.actor_mean = mlp(HIDDEN, ACT)
        self.actor_logstd = nn.Parameter(torch.zeros(1, ACT))


def run(dtype):
    torch.set_default_dtype(dtype)
    agent = Agent()
    policy_count = sum(p.numel() for p in agent.actor_mean.parameters()) + ACT
    value_count = sum(p.numel() for p in agent.critic.parameters())
    pflat = [policy_parameter(i) for i in range(policy_count)]
    used = load_flat(agent.actor_mean, pflat)
    with torch.no_grad():
        agent.actor_logstd.copy_(torch.tensor(pflat[used:], dtype=dtype).reshape(1, ACT))
    load_flat(agent.critic, [value_parameter(i) for i in range(value_count)])
    # One Adam over all parameters (L183), eps 1e-5; the learning rate as annealed (L202-L205).
    optimizer = torch.optim.Adam(agent.parameters(), lr=LR, eps=1e-5)
    optimizer.param_groups[0]["lr"] = (1.0 - ITERATION / ITERATIONS) * LR

    # Observations are float32 in both implementations (CleanRL's torch.Tensor; Repro's Float networks).
    b_obs = torch.tensor([[observation(s, k) for k in range(OBS)] for s in range(N)], dtype=torch.float32).to(dtype)
    b_actions = torch.tensor([[action(s, d) for d in range(ACT)] for s in range(N)], dtype=dtype)
    b_advantages = torch.tensor([advantage(s) for s in range(N)], dtype=dtype)
    with torch.no_grad():
        _, logp0, _, v0 = agent.get_action_and_value(b_obs, b_actions)
    b_logprobs = logp0 + torch.tensor([log_prob_offset(s) for s in range(N)], dtype=dtype)
    b_values = v0.view(-1) + torch.tensor([value_offset(s) for s in range(N)], dtype=dtype)
    b_returns = b_advantages + b_values  # L246

    steps = []
    for epoch in range(EPOCHS):
        for mb_inds in order(epoch):
            mb_inds = torch.tensor(mb_inds)
            # L265-L305, unchanged but for the names of the arguments.
            _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb_inds], b_actions[mb_inds])
            logratio = newlogprob - b_logprobs[mb_inds]
            ratio = logratio.exp()
            mb_advantages = b_advantages[mb_inds]
            mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
            pg_loss1 = -mb_advantages * ratio
            pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - CLIP, 1 + CLIP)
            pg_loss = torch.max(pg_loss1, pg_loss2).mean()
            newvalue = newvalue.view(-1)
            v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
            v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds], -CLIP, CLIP)
            v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
            v_loss_max = torch.max(v_loss_unclipped, v_loss_clipped)
            v_loss = 0.5 * v_loss_max.mean()
            entropy_loss = entropy.mean()
            loss = pg_loss - ENT_COEF * entropy_loss + v_loss * VF_COEF
            optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(agent.parameters(), MAX_GRAD_NORM)
            optimizer.step()
            with torch.no_grad():
                steps.append({
                    "policyLoss": pg_loss.item(),
                    "valueLoss": 2 * v_loss.item(),  # Repro's value loss has no ½ (its coefficient is 0.25)
                    "gradientNorm": norm.item(),
                    "ratioClipped": int(((ratio - 1).abs() > CLIP).sum().item()),
                    "valueClipBinds": int(((newvalue - b_values[mb_inds]).abs() > CLIP).sum().item()),
                })
    policy = dump_flat(agent.actor_mean) + agent.actor_logstd.detach().reshape(-1).tolist()
    return {"policy": policy, "value": dump_flat(agent.critic), "steps": steps}


def main():
    f32, f64 = run(torch.float32), run(torch.float64)
    spread = max(abs(a - b) for k in ("policy", "value") for a, b in zip(f32[k], f64[k]))
    moved = max(abs(a - b) for a, b in zip(f64["policy"], [policy_parameter(i) for i in range(len(f64["policy"]))]))
    steps = f64["steps"]
    coverage = {
        "minibatches with the ratio clip binding": sum(s["ratioClipped"] > 0 for s in steps),
        "minibatches with the value clip binding": sum(s["valueClipBinds"] > 0 for s in steps),
        "minibatches with the gradient clipped": sum(s["gradientNorm"] > MAX_GRAD_NORM for s in steps),
        "minibatches": len(steps),
    }
    assert all(v > 0 for v in coverage.values()), coverage
    fixture = {
        "source": "scripts/torchppo/update_parity.py: CleanRL ppo_continuous_action.py L256-L305 (vwxyzjn/cleanrl@35896b1) "
                  f"in torch {torch.__version__}",
        "sizes": {"observation": OBS, "action": ACT, "hidden": HIDDEN, "samples": N, "minibatches": MINIBATCHES,
                  "epochs": EPOCHS},
        "learningRate": LR, "iterations": ITERATIONS, "iteration": ITERATION,
        "coverage": coverage,
        "float32MinusFloat64MaxAbs": spread,
        "largestParameterMove": moved,
        "policy": f64["policy"],
        "value": f64["value"],
        "steps": [{k: s[k] for k in ("policyLoss", "valueLoss", "gradientNorm")} for s in steps],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + ".tmp"
    with open(tmp, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    os.replace(tmp, OUT)
    print(f"wrote {os.path.relpath(OUT, ROOT)}: {coverage}; float32 vs float64 max |diff| {spread:.3g}; "
          f"largest parameter move {moved:.3g}")


if __name__ == "__main__":
    sys.exit(main())

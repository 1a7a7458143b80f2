# CleanRL-style re-implementation of ppo_continuous_action.py, for benchmarking only.
#
# This is NOT CleanRL's file: it was written from knowledge of CleanRL's published
# single-file PPO for continuous actions (vwxyzjn/cleanrl, ppo_continuous_action.py)
# and follows its structure and defaults: SyncVectorEnv over one env with CleanRL's
# wrapper stack, 2048 steps per rollout, 10 epochs x 32 minibatches, Adam(lr 3e-4,
# eps 1e-5) linearly annealed, gamma 0.99, GAE lambda 0.95, clip 0.2 (policy and
# value), advantage normalisation per minibatch, ent_coef 0, vf_coef 0.5, max grad
# norm 0.5, separate [64, 64] tanh actor and critic with orthogonal init, state-
# independent log-std.
#
# It is also the PyTorch side of the cross-implementation check (crosscheck.py): apart from the
# differences below, which change no arithmetic of the algorithm, it computes what CleanRL's
# ppo_continuous_action.py at vwxyzjn/cleanrl@35896b1 (Gymnasium 0.28/0.29) computes. Gymnasium
# 1.4's NormalizeObservation, NormalizeReward and RunningMeanStd do the arithmetic of 0.28/0.29's
# (NormalizeObservation now returns float32, which the float32 torch tensor was anyway), but for
# one detail: NormalizeObservation starts its statistics as float32, so its first update uses
# float32(1e-4) for var * count; scripts/parity/record_cleanrl_rollout.py counts what that moves
# (a few observation values by one float32 ulp in 1200 steps).
#
# Deliberate differences from CleanRL, for a CPU speed figure in Repro's BENCHMARKS.md:
# - argparse instead of tyro; no TensorBoard / wandb logging, no video capture
#   (CleanRL's per-iteration add_scalar calls are left out, so this is marginally
#   lighter than the original);
# - CPU only and torch.set_num_threads(1) (BLAS/OpenMP pools pinned to 1 as well);
# - Gymnasium 1.4 API: TransformObservation takes an observation space, and the
#   vector env is asked for AutoresetMode.SAME_STEP, which is the autoreset
#   behaviour of the Gymnasium 0.29 that CleanRL was written against (an episode's
#   end and the next reset happen in one step(), so every step is a real env step);
# - at the end it prints env steps per second (total env steps / wall seconds from
#   the first reset to the end of the last update, i.e. rollouts + GAE + updates)
#   (and env steps per CPU second of the process, which a shared machine disturbs less)
#   and the mean episodic return of the episodes that ended in the last iterations;
# - --json also records every episode, the policy's mean log-std after each iteration, and
#   CleanRL's benchmark score (mean of the last 100 episodic returns), written atomically.
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

_T_PROCESS = time.perf_counter()

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.optim as optim  # noqa: E402
from torch.distributions.normal import Normal  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="CleanRL-style PPO (continuous actions), CPU benchmark")
    p.add_argument("--exp-name", type=str, default=os.path.basename(__file__)[: -len(".py")])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--torch-deterministic", type=lambda s: s.lower() in ("1", "true", "yes"), default=True)
    p.add_argument("--env-id", type=str, default="Hopper-v5")
    p.add_argument("--total-timesteps", type=int, default=1_000_000)
    p.add_argument("--learning-rate", type=float, default=3e-4)
    p.add_argument("--num-envs", type=int, default=1)
    p.add_argument("--num-steps", type=int, default=2048)
    p.add_argument("--anneal-lr", type=lambda s: s.lower() in ("1", "true", "yes"), default=True)
    p.add_argument("--gamma", type=float, default=0.99)
    p.add_argument("--gae-lambda", type=float, default=0.95)
    p.add_argument("--num-minibatches", type=int, default=32)
    p.add_argument("--update-epochs", type=int, default=10)
    p.add_argument("--norm-adv", type=lambda s: s.lower() in ("1", "true", "yes"), default=True)
    p.add_argument("--clip-coef", type=float, default=0.2)
    p.add_argument("--clip-vloss", type=lambda s: s.lower() in ("1", "true", "yes"), default=True)
    p.add_argument("--ent-coef", type=float, default=0.0)
    p.add_argument("--vf-coef", type=float, default=0.5)
    p.add_argument("--max-grad-norm", type=float, default=0.5)
    p.add_argument("--target-kl", type=float, default=None)
    # benchmark-only options (not in CleanRL)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--report-iters", type=int, default=5,
                   help="mean episodic return over episodes ending in the last N iterations")
    p.add_argument("--quiet", action="store_true", help="do not print every episodic return")
    p.add_argument("--json", type=str, default=None, help="also write the summary to this file")
    args = p.parse_args()
    args.batch_size = int(args.num_envs * args.num_steps)
    args.minibatch_size = int(args.batch_size // args.num_minibatches)
    args.num_iterations = args.total_timesteps // args.batch_size
    return args


def make_env(env_id, idx, gamma):
    def thunk():
        env = gym.make(env_id)
        env = gym.wrappers.FlattenObservation(env)  # deal with dm_control's Dict observation space
        env = gym.wrappers.RecordEpisodeStatistics(env)
        env = gym.wrappers.ClipAction(env)
        env = gym.wrappers.NormalizeObservation(env)
        env = gym.wrappers.TransformObservation(env, lambda obs: np.clip(obs, -10, 10), None)
        env = gym.wrappers.NormalizeReward(env, gamma=gamma)
        env = gym.wrappers.TransformReward(env, lambda reward: np.clip(reward, -10, 10))
        return env

    return thunk


def layer_init(layer, std=np.sqrt(2), bias_const=0.0):
    torch.nn.init.orthogonal_(layer.weight, std)
    torch.nn.init.constant_(layer.bias, bias_const)
    return layer


class Agent(nn.Module):
    def __init__(self, envs):
        super().__init__()
        obs_dim = int(np.array(envs.single_observation_space.shape).prod())
        act_dim = int(np.prod(envs.single_action_space.shape))
        self.critic = nn.Sequential(
            layer_init(nn.Linear(obs_dim, 64)),
            nn.Tanh(),
            layer_init(nn.Linear(64, 64)),
            nn.Tanh(),
            layer_init(nn.Linear(64, 1), std=1.0),
        )
        self.actor_mean = nn.Sequential(
            layer_init(nn.Linear(obs_dim, 64)),
            nn.Tanh(),
            layer_init(nn.Linear(64, 64)),
            nn.Tanh(),
            layer_init(nn.Linear(64, act_dim), std=0.01),
        )
        self.actor_logstd = nn.Parameter(torch.zeros(1, act_dim))

    def get_value(self, x):
        return self.critic(x)

    def get_action_and_value(self, x, action=None):
        action_mean = self.actor_mean(x)
        action_logstd = self.actor_logstd.expand_as(action_mean)
        action_std = torch.exp(action_logstd)
        probs = Normal(action_mean, action_std)
        if action is None:
            action = probs.sample()
        return action, probs.log_prob(action).sum(1), probs.entropy().sum(1), self.critic(x)


def main():
    args = parse_args()
    run_name = f"{args.env_id}__{args.exp_name}__{args.seed}__{int(time.time())}"

    # TRY NOT TO MODIFY: seeding
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.backends.cudnn.deterministic = args.torch_deterministic
    torch.set_num_threads(args.threads)

    device = torch.device("cpu")

    # env setup
    envs = gym.vector.SyncVectorEnv(
        [make_env(args.env_id, i, args.gamma) for i in range(args.num_envs)],
        autoreset_mode=gym.vector.AutoresetMode.SAME_STEP,
    )
    assert isinstance(envs.single_action_space, gym.spaces.Box), "only continuous action space is supported"

    agent = Agent(envs).to(device)
    optimizer = optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    # ALGO Logic: Storage setup
    obs = torch.zeros((args.num_steps, args.num_envs) + envs.single_observation_space.shape).to(device)
    actions = torch.zeros((args.num_steps, args.num_envs) + envs.single_action_space.shape).to(device)
    logprobs = torch.zeros((args.num_steps, args.num_envs)).to(device)
    rewards = torch.zeros((args.num_steps, args.num_envs)).to(device)
    dones = torch.zeros((args.num_steps, args.num_envs)).to(device)
    values = torch.zeros((args.num_steps, args.num_envs)).to(device)

    episodes = []  # (iteration, global_step, episodic return, length)
    logstd_means = []  # the policy's mean log-std after each iteration's update

    # TRY NOT TO MODIFY: start the game
    global_step = 0
    start_time = time.time()
    t0 = time.perf_counter()
    c0 = time.process_time()
    next_obs, _ = envs.reset(seed=args.seed)
    next_obs = torch.Tensor(next_obs).to(device)
    next_done = torch.zeros(args.num_envs).to(device)

    for iteration in range(1, args.num_iterations + 1):
        # Annealing the rate if instructed to do so.
        if args.anneal_lr:
            frac = 1.0 - (iteration - 1.0) / args.num_iterations
            lrnow = frac * args.learning_rate
            optimizer.param_groups[0]["lr"] = lrnow

        for step in range(0, args.num_steps):
            global_step += args.num_envs
            obs[step] = next_obs
            dones[step] = next_done

            # ALGO LOGIC: action logic
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
                values[step] = value.flatten()
            actions[step] = action
            logprobs[step] = logprob

            # TRY NOT TO MODIFY: execute the game and log data.
            next_obs, reward, terminations, truncations, infos = envs.step(action.cpu().numpy())
            next_done = np.logical_or(terminations, truncations)
            rewards[step] = torch.tensor(reward).to(device).view(-1)
            next_obs, next_done = torch.Tensor(next_obs).to(device), torch.Tensor(next_done).to(device)

            if "final_info" in infos:
                final_info = infos["final_info"]
                if "episode" in final_info:
                    for i in np.flatnonzero(final_info["_episode"]):
                        ep_r = float(final_info["episode"]["r"][i])
                        ep_l = int(final_info["episode"]["l"][i])
                        episodes.append((iteration, global_step, ep_r, ep_l))
                        if not args.quiet:
                            print(f"global_step={global_step}, episodic_return={ep_r}")

        # bootstrap value if not done
        with torch.no_grad():
            next_value = agent.get_value(next_obs).reshape(1, -1)
            advantages = torch.zeros_like(rewards).to(device)
            lastgaelam = 0
            for t in reversed(range(args.num_steps)):
                if t == args.num_steps - 1:
                    nextnonterminal = 1.0 - next_done
                    nextvalues = next_value
                else:
                    nextnonterminal = 1.0 - dones[t + 1]
                    nextvalues = values[t + 1]
                delta = rewards[t] + args.gamma * nextvalues * nextnonterminal - values[t]
                advantages[t] = lastgaelam = delta + args.gamma * args.gae_lambda * nextnonterminal * lastgaelam
            returns = advantages + values

        # flatten the batch
        b_obs = obs.reshape((-1,) + envs.single_observation_space.shape)
        b_logprobs = logprobs.reshape(-1)
        b_actions = actions.reshape((-1,) + envs.single_action_space.shape)
        b_advantages = advantages.reshape(-1)
        b_returns = returns.reshape(-1)
        b_values = values.reshape(-1)

        # Optimizing the policy and value network
        b_inds = np.arange(args.batch_size)
        clipfracs = []
        for epoch in range(args.update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, args.batch_size, args.minibatch_size):
                end = start + args.minibatch_size
                mb_inds = b_inds[start:end]

                _, newlogprob, entropy, newvalue = agent.get_action_and_value(b_obs[mb_inds], b_actions[mb_inds])
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()

                with torch.no_grad():
                    # calculate approx_kl http://joschu.net/blog/kl-approx.html
                    old_approx_kl = (-logratio).mean()
                    approx_kl = ((ratio - 1) - logratio).mean()
                    clipfracs += [((ratio - 1.0).abs() > args.clip_coef).float().mean().item()]

                mb_advantages = b_advantages[mb_inds]
                if args.norm_adv:
                    mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)

                # Policy loss
                pg_loss1 = -mb_advantages * ratio
                pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - args.clip_coef, 1 + args.clip_coef)
                pg_loss = torch.max(pg_loss1, pg_loss2).mean()

                # Value loss
                newvalue = newvalue.view(-1)
                if args.clip_vloss:
                    v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                    v_clipped = b_values[mb_inds] + torch.clamp(
                        newvalue - b_values[mb_inds],
                        -args.clip_coef,
                        args.clip_coef,
                    )
                    v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
                    v_loss_max = torch.max(v_loss_unclipped, v_loss_clipped)
                    v_loss = 0.5 * v_loss_max.mean()
                else:
                    v_loss = 0.5 * ((newvalue - b_returns[mb_inds]) ** 2).mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - args.ent_coef * entropy_loss + v_loss * args.vf_coef

                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
                optimizer.step()

            if args.target_kl is not None and approx_kl > args.target_kl:
                break

        y_pred, y_true = b_values.cpu().numpy(), b_returns.cpu().numpy()
        var_y = np.var(y_true)
        explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y

        # CleanRL logs these to TensorBoard; here only SPS is printed, as CleanRL does.
        _ = (old_approx_kl, approx_kl, np.mean(clipfracs), explained_var, v_loss.item(), pg_loss.item())
        logstd_means.append(agent.actor_logstd.mean().item())  # read only: for comparing exploration noise
        if not args.quiet:
            print("SPS:", int(global_step / (time.time() - start_time)))

    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0  # this process's CPU seconds: less sensitive to a shared machine
    envs.close()

    last = max(1, args.num_iterations - args.report_iters + 1)
    recent = [r for (it, _, r, _) in episodes if it >= last]
    summary = {
        "env_id": args.env_id,
        "seed": args.seed,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "gymnasium": gym.__version__,
        "requested_total_timesteps": args.total_timesteps,
        "env_steps": global_step,
        "iterations": args.num_iterations,
        "wall_s": wall,
        "steps_per_s": global_step / wall if wall > 0 else float("nan"),
        "cpu_s": cpu,
        "steps_per_cpu_s": global_step / cpu if cpu > 0 else float("nan"),
        "process_wall_s": time.perf_counter() - _T_PROCESS,
        "episodes": len(episodes),
        "report_iters": args.report_iters,
        "recent_episodes": len(recent),
        "recent_mean_return": float(np.mean(recent)) if recent else float("nan"),
        # CleanRL's benchmark score (openrlbenchmark rlops, metric_last_n_average_window 100):
        # the mean of the run's last 100 episodic returns.
        "score_last_100_episodes": float(np.mean([r for (_, _, r, _) in episodes[-100:]])) if episodes else float("nan"),
        # every training episode, in order: [iteration, global_step, return, length]
        "episodes_list": [[it, gs, r, ln] for (it, gs, r, ln) in episodes],
        # the policy's mean log-std after each iteration's update (Repro records the entropy)
        "logstd_mean_per_iteration": logstd_means,
    }
    print(f"run {run_name}")
    print(f"env steps {global_step} ({args.num_iterations} iterations x {args.batch_size}) in {wall:.2f} s "
          f"(torch {torch.__version__}, {torch.get_num_threads()} thread)")
    print(f"steps_per_s {summary['steps_per_s']:.1f}  (per CPU second of this process: {summary['steps_per_cpu_s']:.1f})")
    print(f"mean episodic return, last {args.report_iters} iterations (iterations {last}-{args.num_iterations}, "
          f"{len(recent)} episodes): {summary['recent_mean_return']:.1f}")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")
        os.replace(tmp, args.json)  # atomic: a crashed run leaves no half-written summary


if __name__ == "__main__":
    main()

"""Reference numbers for the DDIM sampler tests (Tests/DiffusionTests/DDIMSamplerTests.swift).

Usage: ddim_reference.py DIR

Reads DIR/x_T.npy and DIR/noise.npy ([steps, ...] per-step standard-normal draws, float32) and
writes, following zero123's ldm/modules/diffusionmodules/util.py (make_beta_schedule "linear",
make_ddim_timesteps "uniform", make_ddim_sampling_parameters) and ldm/models/diffusion/ddim.py
(ddim_sampling with its timesteps[:t_start=-1] slice, p_sample_ddim):
  alphas_cumprod.npy                ldm's float32 buffer (float64 cumprod, then float32)
  ldm_<N>.json                      the timesteps visited
  ldm_<N>_coefficients.npy          [3, updates]: ddim alphas, alphas_prev, sigmas (eta 0.5) as the
                                    float32 values p_sample_ddim puts in torch.full
  leading_<N>.json                  diffusers DDIMScheduler.set_timesteps(N).timesteps
  final_<spacing>_eta<e>.npy        the loop re-implemented in float64 with a toy guided eps model
  diffusers_leading_eta<e>.npy      diffusers DDIMScheduler.step in float64 on ldm's alphas_cumprod
The toy model: eps_u = tanh(0.7 x + 1.3 t/1000), eps_c = tanh(-0.4 x + 0.2 - 0.9 t/1000),
eps = eps_u + 3 (eps_c - eps_u), element-wise.
"""
import json
import os
import sys

import numpy as np
import torch
from diffusers import DDIMScheduler

T = 1000
LINEAR_START, LINEAR_END = 0.00085, 0.012


def make_beta_schedule():
    return (torch.linspace(LINEAR_START ** 0.5, LINEAR_END ** 0.5, T, dtype=torch.float64) ** 2).numpy()


def make_ddim_timesteps(steps):
    c = T // steps
    return (np.arange(0, steps) * c).astype(int) + 1


def ldm_parameters(alphas_cumprod_f32, ddim_timesteps, eta):
    alphacums = torch.tensor(alphas_cumprod_f32)
    alphas = alphacums[ddim_timesteps]
    alphas_prev = np.asarray([alphacums[0]] + alphacums[ddim_timesteps[:-1]].tolist())
    sigmas = eta * np.sqrt((1 - alphas_prev) / (1 - alphas) * (1 - alphas / alphas_prev))
    as_f32 = lambda values, i: float(torch.full((1,), values[i]).item())
    return alphas, alphas_prev, sigmas, as_f32


def eps_model(x, t):
    u = torch.tanh(0.7 * x + 1.3 * t / 1000.0)
    c = torch.tanh(-0.4 * x + 0.2 - 0.9 * t / 1000.0)
    return u + 3.0 * (c - u)


def ddim_loop(x_T, noise, alphas_cumprod_f32, steps, eta, drop_last):
    grid = make_ddim_timesteps(steps)
    alphas, alphas_prev, sigmas, as_f32 = ldm_parameters(alphas_cumprod_f32, grid, eta)
    timesteps = grid[:-1] if drop_last else grid
    x = torch.tensor(x_T, dtype=torch.float64)
    total = timesteps.shape[0]
    for i, step in enumerate(np.flip(timesteps)):
        index = total - i - 1
        a_t, a_prev, sigma_t = as_f32(alphas, index), as_f32(alphas_prev, index), as_f32(sigmas, index)
        e_t = eps_model(x, float(step))
        pred_x0 = (x - (1 - a_t) ** 0.5 * e_t) / a_t ** 0.5
        dir_xt = (1 - a_prev - sigma_t ** 2) ** 0.5 * e_t
        z = torch.tensor(noise[i], dtype=torch.float64)
        x = a_prev ** 0.5 * pred_x0 + dir_xt + sigma_t * z
    return x.numpy(), [int(s) for s in np.flip(timesteps)]


def diffusers_loop(x_T, noise, alphas_cumprod_f32, steps, eta):
    scheduler = DDIMScheduler(num_train_timesteps=T, beta_start=LINEAR_START, beta_end=LINEAR_END,
                              beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    scheduler.alphas_cumprod = torch.tensor(alphas_cumprod_f32)
    scheduler.final_alpha_cumprod = scheduler.alphas_cumprod[0]
    scheduler.set_timesteps(steps)
    x = torch.tensor(x_T, dtype=torch.float64)
    for i, t in enumerate(scheduler.timesteps):
        e_t = eps_model(x, float(t))
        z = torch.tensor(noise[i], dtype=torch.float64)
        x = scheduler.step(e_t, t, x, eta=eta, variance_noise=z).prev_sample
    return x.numpy()


def main():
    folder = sys.argv[1]
    betas = make_beta_schedule()
    alphas_cumprod = np.cumprod(1.0 - betas, axis=0)
    alphas_cumprod_f32 = torch.tensor(alphas_cumprod, dtype=torch.float32).numpy()
    np.save(os.path.join(folder, "alphas_cumprod.npy"), alphas_cumprod_f32)
    for steps in [50, 20, 30, 7, 1, 500]:
        grid = make_ddim_timesteps(steps)
        alphas, alphas_prev, sigmas, as_f32 = ldm_parameters(alphas_cumprod_f32, grid, 0.5)
        visited = grid[:-1]
        order = list(range(visited.shape[0]))[::-1]
        with open(os.path.join(folder, "ldm_%d.json" % steps), "w") as f:
            json.dump({"timesteps": [int(visited[i]) for i in order]}, f)
        coefficients = [[as_f32(values, i) for i in order] for values in (alphas, alphas_prev, sigmas)]
        np.save(os.path.join(folder, "ldm_%d_coefficients.npy" % steps),
                np.array(coefficients, dtype=np.float32).reshape(3, len(order)))
        scheduler = DDIMScheduler(num_train_timesteps=T, beta_start=LINEAR_START, beta_end=LINEAR_END,
                                  beta_schedule="scaled_linear", set_alpha_to_one=False, steps_offset=1)
        scheduler.set_timesteps(steps)
        with open(os.path.join(folder, "leading_%d.json" % steps), "w") as f:
            json.dump({"timesteps": [int(t) for t in scheduler.timesteps]}, f)
    x_T = np.load(os.path.join(folder, "x_T.npy"))
    noise = np.load(os.path.join(folder, "noise.npy"))
    for eta in [0.0, 1.0]:
        for spacing in ["ldm", "leading"]:
            final, _ = ddim_loop(x_T, noise, alphas_cumprod_f32, 50, eta, drop_last=spacing == "ldm")
            np.save(os.path.join(folder, "final_%s_eta%d.npy" % (spacing, int(eta))), final)
        np.save(os.path.join(folder, "diffusers_leading_eta%d.npy" % int(eta)),
                diffusers_loop(x_T, noise, alphas_cumprod_f32, 50, eta))
    print("ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference numerics for the Swift AutoencoderKL (Tests/DiffusionTests/AutoencoderInteropTests.swift).

Builds a diffusers AutoencoderKL with random weights (seeded, every weight perturbed so that no
zero / one initialisation hides a bug; the log-variance biases of two latent channels pushed past
ldm's [-30, 20] clamp), rounds the weights to float32 and runs it in float64. Writes to OUT:

  weights_ldm.safetensors        float32, ldm names under `first_stage_model.` (attention q/k/v/proj_out as [C, C, 1, 1])
  weights_diffusers.safetensors  float32, diffusers names (attention linears [C, C])
  x.npy, z.npy, noise.npy        inputs: image in [-1, 1], latent, standard-normal noise
  mean.npy, logvar.npy           posterior of encode(x) (float64)
  sample.npy                     mean + std * noise (float64)
  decoded.npy                    decode(z) (float64)
  config.json                    the ldm first_stage_config.params of the network

The diffusers -> ldm renaming here is written independently of the Swift table, following
diffusers' convert_zero123_to_diffusers.py in reverse.

Usage: vae_reference.py OUT [--channels 32,64,64,64] [--batch 2] [--height 64] [--width 48] [--seed 0]
"""
import argparse
import json
import os
import re

import numpy as np
import torch
from diffusers import AutoencoderKL
from safetensors.torch import save_file


def build(channels, seed):
    """A float64 diffusers VAE with perturbed float32-representable weights."""
    torch.manual_seed(seed)
    levels = len(channels)
    vae = AutoencoderKL(
        in_channels=3, out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * levels, up_block_types=("UpDecoderBlock2D",) * levels,
        block_out_channels=tuple(channels), layers_per_block=2, act_fn="silu",
        latent_channels=4, norm_num_groups=32, sample_size=256,
    )
    with torch.no_grad():
        for _, p in vae.named_parameters():
            if p.dim() == 1:
                p.add_(0.1 * torch.randn_like(p))
            else:
                p.add_(0.5 * p.std() * torch.randn_like(p))
        # Moments are [mean (4), logvar (4)]: logvar channel 0 above 20, channel 1 below -30.
        vae.quant_conv.bias[4] += 60.0
        vae.quant_conv.bias[5] -= 60.0
        for _, p in vae.named_parameters():
            p.copy_(p.float())
    return vae.double().eval()


def ldm_name(key, levels):
    """diffusers AutoencoderKL key -> ldm key (without the first_stage_model. prefix)."""
    k = key
    k = re.sub(r"^encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.", r"encoder.down.\1.block.\2.", k)
    k = re.sub(r"^encoder\.down_blocks\.(\d+)\.downsamplers\.0\.conv\.", r"encoder.down.\1.downsample.conv.", k)
    m = re.match(r"^decoder\.up_blocks\.(\d+)\.(.*)$", k)
    if m:
        rest = m.group(2)
        rest = re.sub(r"^resnets\.(\d+)\.", r"block.\1.", rest)
        rest = re.sub(r"^upsamplers\.0\.conv\.", "upsample.conv.", rest)
        k = f"decoder.up.{levels - 1 - int(m.group(1))}.{rest}"
    k = k.replace(".mid_block.resnets.0.", ".mid.block_1.").replace(".mid_block.resnets.1.", ".mid.block_2.")
    k = k.replace(".mid_block.attentions.0.", ".mid.attn_1.")
    for old, new in [("group_norm", "norm"), ("to_q", "q"), ("to_k", "k"), ("to_v", "v"), ("to_out.0", "proj_out")]:
        k = k.replace(f".attn_1.{old}.", f".attn_1.{new}.")
    k = k.replace(".conv_shortcut.", ".nin_shortcut.").replace(".conv_norm_out.", ".norm_out.")
    return k


def ldm_state_dict(vae, levels):
    out = {}
    for key, value in vae.state_dict().items():
        name = ldm_name(key, levels)
        value = value.float().contiguous()
        if ".attn_1." in name and name.endswith(".weight") and value.dim() == 2:
            value = value[:, :, None, None].contiguous()
        assert "first_stage_model." + name not in out, name
        out["first_stage_model." + name] = value
    return out


def ldm_config(channels):
    base = channels[0]
    return {
        "embed_dim": 4,
        "monitor": "val/rec_loss",
        "ddconfig": {
            "double_z": True, "z_channels": 4, "resolution": 256, "in_channels": 3, "out_ch": 3,
            "ch": base, "ch_mult": [c // base for c in channels], "num_res_blocks": 2,
            "attn_resolutions": [], "dropout": 0.0,
        },
        "lossconfig": {"target": "torch.nn.Identity"},
    }


def write_reference(out, channels, batch, height, width, seed):
    """Writes weights, inputs and float64 references; returns the float64 model and inputs."""
    os.makedirs(out, exist_ok=True)
    levels = len(channels)
    vae = build(channels, seed)
    save_file(ldm_state_dict(vae, levels), os.path.join(out, "weights_ldm.safetensors"))
    save_file({k: v.float().contiguous() for k, v in vae.state_dict().items()},
              os.path.join(out, "weights_diffusers.safetensors"))
    factor = 2 ** (levels - 1)
    g = torch.Generator().manual_seed(seed + 1)
    x = (torch.rand(batch, 3, height, width, generator=g) * 2 - 1).double()
    z = torch.randn(batch, 4, height // factor, width // factor, generator=g).double()
    noise = torch.randn(batch, 4, height // factor, width // factor, generator=g).double()
    with torch.no_grad():
        posterior = vae.encode(x).latent_dist
        decoded = vae.decode(z).sample
    sample = posterior.mean + posterior.std * noise
    arrays = {"x": x, "z": z, "noise": noise, "mean": posterior.mean, "logvar": posterior.logvar,
              "sample": sample, "decoded": decoded}
    for name, t in arrays.items():
        np.save(os.path.join(out, name + ".npy"), t.numpy().astype(np.float32 if name in ("x", "z", "noise") else np.float64))
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(ldm_config(channels), f)
    clamped = posterior.logvar[:, :2]
    assert torch.all(clamped[:, 0] == 20.0) and torch.all(clamped[:, 1] == -30.0), "the clamp was not exercised"
    return vae, x, z


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--channels", default="32,64,64,64")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--height", type=int, default=64)
    parser.add_argument("--width", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    channels = [int(c) for c in args.channels.split(",")]
    write_reference(args.out, channels, args.batch, args.height, args.width, args.seed)
    print(f"wrote VAE reference ({channels}, {args.batch}x3x{args.height}x{args.width}) to {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""An external view-synthesis backend for cn-synthesize (`backend: external`), in PyTorch.

Reads the folder `cn-model convert --naming diffusers` writes (diffusers UNet2DConditionModel and
AutoencoderKL, transformers CLIPVisionModelWithProjection, cc_projection) and speaks the project's JSON
lines protocol on stdin / stdout, one line per item:

  request   {"id": ID, "image": REF.png, "views": [[polar_deg, azimuth_deg, radius], ...], "seed": S,
             "noise": [x_T.npy, ...]}      (one initial-noise file per view, [1, 4, h, w])
  response  {"id": ID, "views": [VIEW.png, ...]}   or   {"id": ID, "error": "one line"}

Views are sampled as zero123's gradio_new.py does with ldm's DDIMSampler: CLIP embedding of the reference
(bicubic align_corners resize to the tower's size, CLIP mean/std), T = [rad(polar), sin(rad(az)), cos(rad(az)),
radius] through cc_projection, c_concat = the VAE posterior mean (unscaled), classifier-free guidance batched
[uncond; cond] with uncond = zeros after cc_projection and a zero concat latent; DDIM with ldm's uniform
spacing and its [:-1] slice (N steps = N-1 updates) or diffusers' leading spacing; the latent decoded
/ scaling_factor, clamped and truncated to 8 bits. With the same x_T files it reproduces the Swift core's
views. Uses a GPU when torch sees one (float32 either way).

Usage: zero123_diffusers.py --model FOLDER --out DIR [--steps 50] [--guidance 3.0] [--eta 0] [--spacing ldm|leading]
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)


def load(folder, device):
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from safetensors.torch import load_file
    from transformers import CLIPVisionModelWithProjection
    unet = UNet2DConditionModel.from_pretrained(os.path.join(folder, "unet")).to(device).eval()
    vae = AutoencoderKL.from_pretrained(os.path.join(folder, "vae")).to(device).eval()
    clip = CLIPVisionModelWithProjection.from_pretrained(os.path.join(folder, "image_encoder")).to(device).eval()
    weights = load_file(os.path.join(folder, "cc_projection", "diffusion_pytorch_model.safetensors"))
    cc = torch.nn.Linear(weights["projection.weight"].shape[1], weights["projection.weight"].shape[0])
    cc.load_state_dict({"weight": weights["projection.weight"], "bias": weights["projection.bias"]})
    return unet, vae, clip, cc.to(device).eval()


def alphas_cumprod():
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    return np.cumprod(1 - betas.numpy()).astype(np.float32)


def plan(steps, spacing, eta):
    """(timestep, alpha, alpha_prev, sigma) per update, as ldm's DDIMSampler or diffusers' DDIMScheduler."""
    a = alphas_cumprod()
    grid = np.arange(0, steps) * (1000 // steps) + 1
    updates = []
    for index in reversed(range(len(grid))):
        if spacing == "ldm" and index == len(grid) - 1:
            continue
        t = int(grid[index])
        a_t = float(a[t])
        a_prev = float(a[grid[index - 1]]) if index > 0 else float(a[0])
        sigma = eta * math.sqrt((1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev))
        updates.append((t, a_t, a_prev, sigma))
    return updates


def reference_tensor(path, size, device):
    image = Image.open(path).convert("RGBA")
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    image = Image.alpha_composite(white, image).convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.BICUBIC)
    x = torch.tensor(np.asarray(image), dtype=torch.float32).permute(2, 0, 1)[None] / 255 * 2 - 1
    return x.to(device)


def clip_pixels(x, size):
    x = F.interpolate(x, (size, size), mode="bicubic", align_corners=True)
    x = (x + 1) / 2
    mean = torch.tensor(MEAN, device=x.device)[None, :, None, None]
    std = torch.tensor(STD, device=x.device)[None, :, None, None]
    return (x - mean) / std


@torch.inference_mode()
def synthesize(models, request, args, device):
    unet, vae, clip, cc = models
    size = vae.config.sample_size
    x = reference_tensor(request["image"], size, device)
    embedding = clip(pixel_values=clip_pixels(x, clip.config.image_size)).image_embeds[:, None]
    c_concat = vae.encode(x).latent_dist.mode()
    generator = torch.Generator(device="cpu").manual_seed(int(request.get("seed", 0)))
    outputs = []
    for k, (polar, azimuth, radius) in enumerate(request["views"]):
        p, a = math.radians(polar), math.radians(azimuth)
        pose = torch.tensor([[[p, math.sin(a), math.cos(a), radius]]], dtype=torch.float32, device=device)
        token = cc(torch.cat([embedding, pose], -1))
        latent = torch.tensor(np.load(request["noise"][k]), dtype=torch.float32, device=device)
        for t, a_t, a_prev, sigma in plan(args.steps, args.spacing, args.eta):
            x_in = torch.cat([torch.cat([latent, torch.zeros_like(c_concat)], 1), torch.cat([latent, c_concat], 1)])
            e_u, e_c = unet(x_in, torch.full((2,), t, device=device),
                            encoder_hidden_states=torch.cat([torch.zeros_like(token), token])).sample.chunk(2)
            e_t = e_u + args.guidance * (e_c - e_u)
            pred = (latent - (1 - a_t) ** 0.5 * e_t) / a_t ** 0.5
            latent = a_prev ** 0.5 * pred + (1 - a_prev - sigma ** 2) ** 0.5 * e_t
            if sigma > 0:
                latent = latent + sigma * torch.randn(latent.shape, generator=generator).to(device)
        image = vae.decode(latent / vae.config.scaling_factor).sample
        pixels = (255 * torch.clamp((image[0] + 1) / 2, 0, 1)).permute(1, 2, 0).cpu().numpy().astype(np.uint8)
        path = os.path.join(args.out, f"{request['id']}_{k:02d}.png")
        Image.fromarray(pixels).save(path)
        outputs.append(path)
    return outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="folder written by cn-model convert --naming diffusers")
    ap.add_argument("--out", required=True, help="folder for the views")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--guidance", type=float, default=3.0)
    ap.add_argument("--eta", type=float, default=0.0)
    ap.add_argument("--spacing", choices=["ldm", "leading"], default="ldm")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    models = load(args.model, device)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = {}
        try:
            request = json.loads(line)
            response = {"id": request["id"], "views": synthesize(models, request, args, device)}
        except Exception as error:  # one item's failure is its own line, never the whole batch's
            response = {"id": request.get("id"), "error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
        print(json.dumps(response), flush=True)


if __name__ == "__main__":
    main()

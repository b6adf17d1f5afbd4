#!/usr/bin/env python3
"""Full-size Zero-1-to-3 parts with random weights, for scripts/bench/model (never part of swift test).

  model_torch.py make OUT     the SD-1.x UNet (in 8, context 768: 859.5M parameters), the SD VAE and CLIP
                              ViT-L/14 (+ projection) and cc_projection with random perturbed weights, as ONE
                              ldm-layout checkpoint OUT/full.ckpt (torch.save of {"state_dict": ...}), plus
                              inputs and float64 references: unet_x/unet_context/unet_eps (batch 2, t 961 and 21),
                              vae_image/vae_mean, vae_z/vae_decoded, clip_pixels/clip_embeds
  model_torch.py time OUT     PyTorch float32 on the CPU (threads = nproc): UNet forward at batch 2 (a guidance
                              pair, 32x32 latent), and a whole 50-step zero123 view (ldm DDIM: 49 guided updates,
                              VAE encode + decode, CLIP); prints TORCH_* lines and peak RSS
"""
import math
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import clip_reference  # noqa: E402
import ddim_reference  # noqa: E402
import unet_reference  # noqa: E402
import vae_reference  # noqa: E402
from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: E402


def perturbed(model, scale=0.02):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * scale)
    return model


def build():
    torch.manual_seed(0)
    unet = perturbed(UNet2DConditionModel(sample_size=32, in_channels=8, out_channels=4, cross_attention_dim=768)).eval()
    vae = AutoencoderKL(block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
                        up_block_types=("UpDecoderBlock2D",) * 4, layers_per_block=2, latent_channels=4).eval()
    perturbed(vae)
    g = torch.Generator().manual_seed(1)
    clip = clip_reference.build_vision(1024, 24, 14, 224, 768, g).float().eval()
    cc = torch.nn.Linear(772, 768)
    return unet, vae, clip, cc


def save(out, name, tensor):
    np.save(os.path.join(out, name + ".npy"), tensor.detach().numpy())


def make(out):
    os.makedirs(out, exist_ok=True)
    unet, vae, clip, cc = build()
    has_attention = lambda up_block: (3 - up_block) in {0, 1, 2}
    state = {"model.diffusion_model." + unet_reference.ldm_name(k, has_attention): v.float().contiguous()
             for k, v in unet.state_dict().items()}
    state.update(vae_reference.ldm_state_dict(vae, 4))
    for k, v in clip_reference.vision_to_openai(clip.state_dict(), 24).items():
        state["cond_stage_model.model.visual." + k] = v.float().contiguous()
    state["cc_projection.weight"] = cc.weight.detach().contiguous()
    state["cc_projection.bias"] = cc.bias.detach().contiguous()
    torch.save({"state_dict": state, "global_step": 0}, os.path.join(out, "full.ckpt"))
    print(f"wrote {len(state)} tensors, {sum(v.numel() for v in state.values()):,} parameters")
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 8, 32, 32, generator=g)
    context = torch.randn(2, 1, 768, generator=g)
    image = torch.rand(1, 3, 256, 256, generator=g) * 2 - 1
    z = torch.randn(1, 4, 32, 32, generator=g)
    pixels = torch.randn(1, 3, 224, 224, generator=g)
    for name, t in [("unet_x", x), ("unet_context", context), ("vae_image", image), ("vae_z", z), ("clip_pixels", pixels)]:
        save(out, name, t)
    with torch.no_grad():
        save(out, "unet_eps", unet.double()(x.double(), torch.tensor([961.0, 21.0], dtype=torch.float64),
                                            encoder_hidden_states=context.double()).sample)
        vae = vae.double()
        save(out, "vae_mean", vae.encode(image.double()).latent_dist.mean)
        save(out, "vae_decoded", vae.decode(z.double()).sample)
        save(out, "clip_embeds", clip.double()(pixel_values=pixels.double()).image_embeds)


def peak_rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def timing(out):
    threads = os.cpu_count()
    torch.set_num_threads(threads)
    unet, vae, clip, cc = build()
    x = torch.tensor(np.load(os.path.join(out, "unet_x.npy")))
    context = torch.tensor(np.load(os.path.join(out, "unet_context.npy")))
    t = torch.tensor([961.0, 21.0])
    times = []
    with torch.inference_mode():
        for _ in range(3):
            start = time.perf_counter()
            unet(x, t, encoder_hidden_states=context)
            times.append(time.perf_counter() - start)
        print(f"TORCH_UNET_BATCH2_S={sorted(times)[1]:.3f}")
        print(f"TORCH_UNET_BATCH2_BEST_S={min(times):.3f}")
        start = time.perf_counter()
        image = torch.rand(1, 3, 256, 256) * 2 - 1
        embedding = clip(pixel_values=clip_reference.zero123_preprocess(image.double(), 224).float()).image_embeds[:, None]
        pose = torch.tensor([[[math.radians(20), math.sin(math.radians(45)), math.cos(math.radians(45)), 0.0]]])
        token = cc(torch.cat([embedding, pose], -1))
        c_concat = vae.encode(image).latent_dist.mean
        latent = torch.randn(1, 4, 32, 32)
        alphas_cumprod = np.cumprod(1 - ddim_reference.make_beta_schedule()).astype(np.float32)
        grid = ddim_reference.make_ddim_timesteps(50)
        alphas, alphas_prev, _, as_f32 = ddim_reference.ldm_parameters(alphas_cumprod, grid, 0.0)
        steps = grid[:-1]
        for i, step in enumerate(np.flip(steps)):
            index = len(steps) - i - 1
            a_t, a_prev = as_f32(alphas, index), as_f32(alphas_prev, index)
            x_in = torch.cat([torch.cat([latent, torch.zeros_like(c_concat)], 1), torch.cat([latent, c_concat], 1)])
            e_u, e_c = unet(x_in, torch.full((2,), float(step)),
                            encoder_hidden_states=torch.cat([torch.zeros_like(token), token])).sample.chunk(2)
            e_t = e_u + 3.0 * (e_c - e_u)
            pred = (latent - (1 - a_t) ** 0.5 * e_t) / a_t ** 0.5
            latent = a_prev ** 0.5 * pred + (1 - a_prev) ** 0.5 * e_t
        vae.decode(latent / 0.18215)
        print(f"TORCH_VIEW_50_STEPS_S={time.perf_counter() - start:.1f}")
    print(f"TORCH_PEAK_RSS_GB={peak_rss_gb():.2f}")
    print(f"TORCH_THREADS={threads}")


if __name__ == "__main__":
    {"make": make, "time": timing}[sys.argv[1]](sys.argv[2])

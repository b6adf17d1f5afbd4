#!/usr/bin/env python3
"""The Python side of scripts/bench/eval: scikit-image PSNR + SSIM on 256x256 RGB pairs (one
process, as scikit-image runs), and PyTorch CPU float32 LPIPS-alex, CLIP ViT-L/14
(transformers CLIPVisionModelWithProjection) and DINO ViT-S/16 with random weights, torch threads
= nproc. Prints KEY=value lines."""
import os
import sys
import time

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from eval_reference import alexnet_features, dino_vit_small, lpips_reference  # noqa: E402

torch.set_num_threads(os.cpu_count())
rng = np.random.default_rng(1)
pairs = []
for _ in range(32):
    y, x = np.mgrid[0:256, 0:256]
    base = ((x + y) / 2)[..., None] + rng.uniform(-30, 30, (256, 256, 3))
    a = np.clip(base, 0, 255).astype(np.uint8)
    b = np.clip(base + rng.uniform(-20, 20, (256, 256, 3)), 0, 255).astype(np.uint8)
    pairs.append((a, b))
t = time.perf_counter()
for a, b in pairs:
    peak_signal_noise_ratio(a, b)
    structural_similarity(a, b, channel_axis=-1)
print(f"SKIMAGE_PSNR_SSIM_PAIRS_S={len(pairs) / (time.perf_counter() - t):.1f}", flush=True)
t = time.perf_counter()
for a, b in pairs[:16]:
    structural_similarity(a, b, channel_axis=-1, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)
print(f"SKIMAGE_SSIM_GAUSSIAN_PAIRS_S={16 / (time.perf_counter() - t):.1f}", flush=True)

with torch.inference_mode():
    features = alexnet_features().eval()
    lins = [torch.rand(1, c, 1, 1) * 0.1 for c in (64, 192, 384, 256, 256)]
    x0, x1 = torch.rand(1, 3, 256, 256) * 2 - 1, torch.rand(1, 3, 256, 256) * 2 - 1
    lpips_reference(features, lins, x0, x1)
    t = time.perf_counter()
    for _ in range(16):
        lpips_reference(features, lins, x0, x1)
    print(f"TORCH_LPIPS_PAIRS_S={16 / (time.perf_counter() - t):.2f}", flush=True)

    vit = dino_vit_small().eval()
    px = torch.randn(1, 3, 224, 224)
    vit(px)
    t = time.perf_counter()
    for _ in range(8):
        vit(px)
    print(f"TORCH_DINO_IMAGES_S={8 / (time.perf_counter() - t):.2f}", flush=True)

    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection
    config = CLIPVisionConfig(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                              patch_size=14, image_size=224, projection_dim=768, hidden_act="quick_gelu")
    clip = CLIPVisionModelWithProjection(config).eval()
    clip(pixel_values=px)
    t = time.perf_counter()
    for _ in range(3):
        clip(pixel_values=px)
    print(f"TORCH_CLIP_IMAGES_S={3 / (time.perf_counter() - t):.3f}", flush=True)

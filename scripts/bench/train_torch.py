"""PyTorch CPU counterpart of one cn-train step (issue 11 benchmark): the same architecture as a
cn-train CPU preset (diffusers UNet2DConditionModel of the ldm topology, the small learned image
encoder, cc_projection), the same batch, objective (eps MSE with zero123's dropout), gradient
clipping and AdamW with cc_projection at 10x, float32, on `--threads` threads. Data are random
tensors of the preset's shapes (no image decoding), so this times compute only, like cn-train's
`compute_ms`. Prints one JSON line: median step ms, samples/s, peak RSS.
Usage: train_torch.py PRESET.yaml [--batch B] [--steps N] [--threads T]
"""
import argparse
import json
import resource
import statistics
import time

import torch
import yaml
from diffusers import UNet2DConditionModel

ap = argparse.ArgumentParser()
ap.add_argument("preset")
ap.add_argument("--batch", type=int)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
p = yaml.safe_load(open(a.preset))
u, train = p["unet"], p.get("train", {})
batch = a.batch or train.get("batch", 4)
size = p["image_size"] if p.get("first_stage", "identity") == "identity" else p["image_size"] // 8
ch = 3 if p.get("first_stage", "identity") == "identity" else 4
levels = len(u["channel_mult"])
attn = [(1 << i) in u["attention_resolutions"] for i in range(levels)]
unet = UNet2DConditionModel(
    sample_size=size, in_channels=2 * ch, out_channels=ch,
    block_out_channels=tuple(u["model_channels"] * m for m in u["channel_mult"]),
    down_block_types=tuple("CrossAttnDownBlock2D" if x else "DownBlock2D" for x in attn),
    up_block_types=tuple("CrossAttnUpBlock2D" if x else "UpBlock2D" for x in reversed(attn)),
    layers_per_block=u.get("num_res_blocks", 2), cross_attention_dim=u["context_dim"],
    attention_head_dim=u.get("num_heads", 8), norm_num_groups=u.get("norm_groups", 32))
width = u["context_dim"]
layers, c = [], 3
for out in p.get("encoder_channels", [16, 32, 64]):
    layers += [torch.nn.Conv2d(c, out, 3, stride=2, padding=1), torch.nn.SiLU()]
    c = out
convs, proj = torch.nn.Sequential(*layers), torch.nn.Linear(c, width)
cc = torch.nn.Linear(width + 4, width)
base = list(unet.parameters()) + list(convs.parameters()) + list(proj.parameters())
opt = torch.optim.AdamW([{"params": base}, {"params": cc.parameters(), "lr": 10 * train.get("lr", 1e-4)}],
                        lr=train.get("lr", 1e-4), weight_decay=0.01)
abar = torch.cumprod(1 - torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2, 0).float()
times = []
for step in range(a.steps + 3):
    ref = torch.rand(batch, 3, p["image_size"], p["image_size"]) * 2 - 1
    x0 = torch.randn(batch, ch, size, size)
    concat = torch.randn(batch, ch, size, size)
    pose = torch.randn(batch, 4)
    t = torch.randint(0, 1000, (batch,))
    r = torch.rand(batch)
    noise = torch.randn(batch, ch, size, size)
    start = time.perf_counter()
    opt.zero_grad()
    emb = proj(convs(ref).mean(dim=(2, 3))) * (r >= 0.10).float()[:, None]
    token = cc(torch.cat([emb[:, None], pose[:, None]], -1))
    ab = abar[t][:, None, None, None]
    x_t = ab.sqrt() * x0 + (1 - ab).sqrt() * noise
    c = concat * (~((r >= 0.05) & (r < 0.15))).float()[:, None, None, None]
    eps = unet(torch.cat([x_t, c], 1), t, encoder_hidden_states=token).sample
    loss = torch.nn.functional.mse_loss(eps, noise)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(list(unet.parameters()) + list(cc.parameters()), 1.0)
    opt.step()
    if step >= 3:
        times.append(time.perf_counter() - start)
median = statistics.median(times)
print(json.dumps({"step_ms": round(1000 * median, 2), "samples_per_s": round(batch / median, 2), "batch": batch,
                  "threads": a.threads, "parameters": sum(x.numel() for x in base) + sum(x.numel() for x in cc.parameters()),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))

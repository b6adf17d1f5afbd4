#!/usr/bin/env python3
"""End-to-end check of the Swift Tensor module against PyTorch (needs torch: .venv-bench).

Usage: tensor_torch_check.py DIR   (DIR from `cn-bench-tensor --export DIR`)
Loads stack.safetensors (weights under ldm names, inputs, Swift output and gradients), builds
the same stack with the PyTorch modules of scripts/bench/tensor_torch.py (an ldm ResBlock
32->64 with its 1x1 skip, then a SpatialTransformer with CustomNet dual cross-attention),
loads the weights through load_state_dict(strict=True), runs forward + MSE + backward and
compares output, loss, input gradients and every parameter gradient.
Exit status 0 when the worst relative error (max |a-b| / max(max |b|, 1e-6)) is below 1e-4.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.numpy import load_file

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "bench"))
from tensor_torch import ResBlock, SpatialTransformer  # noqa: E402


class ResBlockSkip(ResBlock):
    """ldm ResBlock with out_channels != channels: 1x1 skip_connection."""

    def __init__(self, ch, out, emb):
        nn.Module.__init__(self)
        self.in_layers = nn.Sequential(nn.GroupNorm(32, ch, eps=1e-5), nn.SiLU(), nn.Conv2d(ch, out, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb, out))
        self.out_layers = nn.Sequential(nn.GroupNorm(32, out, eps=1e-5), nn.SiLU(), nn.Dropout(0.0), nn.Conv2d(out, out, 3, padding=1))
        self.skip_connection = nn.Conv2d(ch, out, 1)

    def forward(self, x, emb):
        h = self.in_layers(x)
        h = h + self.emb_layers(emb)[:, :, None, None]
        return self.skip_connection(x) + self.out_layers(h)


def main():
    t = {k: torch.from_numpy(v.copy()) for k, v in load_file(os.path.join(sys.argv[1], "stack.safetensors")).items()}
    torch.set_default_dtype(torch.float64)
    res = ResBlockSkip(32, 64, 48).double()
    st = SpatialTransformer(64, 4, 16, 24).double()
    for prefix, module in (("res", res), ("st", st)):
        state = {k[len("weight." + prefix) + 1:]: v.double() for k, v in t.items() if k.startswith("weight." + prefix + ".")}
        module.load_state_dict(state, strict=True)
    x = t["input.x"].double().requires_grad_()
    emb = t["input.emb"].double().requires_grad_()
    ctx = t["input.context"].double().requires_grad_()
    y = st(res(x, emb), ctx)
    loss = F.mse_loss(y, t["input.target"].double())
    loss.backward()
    pairs = [("output.y", y.detach()), ("output.loss", loss.detach().reshape(1)),
             ("grad.input.x", x.grad), ("grad.input.emb", emb.grad), ("grad.input.context", ctx.grad)]
    for prefix, module in (("res", res), ("st", st)):
        for name, p in module.named_parameters():
            pairs.append((f"grad.{prefix}.{name}", p.grad))
    worst = 0.0
    for name, ref in pairs:
        mine = t[name].double()
        err = float((mine - ref).abs().max() / max(float(ref.abs().max()), 1e-6))
        worst = max(worst, err)
        flag = "" if err < 1e-4 else "   <-- MISMATCH"
        print(f"{name:60s} rel err {err:.2e}{flag}")
    print(f"compared {len(pairs)} tensors against PyTorch (float64): worst relative error {worst:.2e}")
    sys.exit(0 if worst < 1e-4 else 1)


if __name__ == "__main__":
    main()

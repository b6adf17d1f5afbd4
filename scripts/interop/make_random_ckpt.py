"""Writes a random-weight checkpoint in the ldm layout (torch.save({"state_dict": ...}), as
zero123's released .ckpt files are) from a safetensors file of names and shapes: every tensor
gets fresh N(0, 0.05) values (seeded), float32. Used by cn-train's --init test (issue 11).
Usage: make_random_ckpt.py NAMES.safetensors OUT.ckpt [SEED]
"""
import sys

import torch
from safetensors.torch import load_file

names = load_file(sys.argv[1])
g = torch.Generator().manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
state = {k: torch.randn(v.shape, generator=g, dtype=torch.float32) * 0.05 for k, v in sorted(names.items())}
torch.save({"state_dict": state, "global_step": 0, "epoch": 0}, sys.argv[2])
print(len(state))

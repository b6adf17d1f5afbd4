#!/usr/bin/env python3
"""safetensors interop check for the Swift Tensor module (run by Tests/TensorTests/SafetensorsTests).

Usage: safetensors_interop.py SWIFT_FILE PYTHON_FILE
Reads SWIFT_FILE (written by Swift) with the official `safetensors` package, checks its
metadata, then writes PYTHON_FILE with the official writer: every tensor as "f32.<name>"
(float32, unchanged) and "f16.<name>" (float16), plus metadata {"writer": "python"}.
Prints one line per tensor read.
"""
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def main():
    source, target = sys.argv[1], sys.argv[2]
    tensors = load_file(source)
    with safe_open(source, framework="np") as f:
        meta = f.metadata() or {}
    if meta.get("writer") != "swift":
        raise SystemExit(f"metadata not read back: {meta}")
    out = {}
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype != np.float32:
            raise SystemExit(f"{name}: dtype {t.dtype}, expected float32")
        print(f"{name} {list(t.shape)} sum={float(t.astype(np.float64).sum()):.6f}")
        out["f32." + name] = t
        out["f16." + name] = t.astype(np.float16)
    save_file(out, target, metadata={"writer": "python"})


if __name__ == "__main__":
    main()

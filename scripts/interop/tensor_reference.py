#!/usr/bin/env python3
"""Independent NumPy forward references for the Swift Tensor module's numpy checks.

Usage: tensor_reference.py DIR
DIR holds params.json and input .npy files written by Tests/TensorTests/NumpyForwardTests.swift;
this script writes <case>_out.npy beside them. Written from the PyTorch op definitions
(nn.Conv2d, nn.GroupNorm, ldm CrossAttention, ldm GEGLU with exact erf GELU), in float64,
deliberately without im2col so that it shares no structure with the Swift code.
"""
import json
import math
import os
import sys

import numpy as np


def conv2d(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, k, _ = w.shape
    xp = np.zeros((n, c, h + 2 * padding, wd + 2 * padding))
    xp[:, :, padding:padding + h, padding:padding + wd] = x
    ho = (h + 2 * padding - k) // stride + 1
    wo = (wd + 2 * padding - k) // stride + 1
    y = np.zeros((n, o, ho, wo))
    for i in range(k):
        for j in range(k):
            patch = xp[:, :, i:i + stride * ho:stride, j:j + stride * wo:stride]  # n c ho wo
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return y + b[None, :, None, None]


def group_norm(x, gamma, beta, groups, eps):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1)
    mean = g.mean(axis=2, keepdims=True)
    var = g.var(axis=2, keepdims=True)
    y = ((g - mean) / np.sqrt(var + eps)).reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y * gamma.reshape(shape) + beta.reshape(shape)


def attention(q, k, v, heads):
    b, lq, inner = q.shape
    d = inner // heads
    out = np.zeros_like(q)
    for h in range(heads):
        qh, kh, vh = (t[:, :, h * d:(h + 1) * d] for t in (q, k, v))
        s = np.einsum("bid,bjd->bij", qh, kh) * d ** -0.5
        s = s - s.max(axis=-1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=-1, keepdims=True)
        out[:, :, h * d:(h + 1) * d] = np.einsum("bij,bjd->bid", p, vh)
    return out


def geglu(x):
    h, gate = np.split(x, 2, axis=-1)
    erf = np.vectorize(math.erf)
    return h * (0.5 * gate * (1.0 + erf(gate / math.sqrt(2.0))))


def load(folder, name):
    return np.load(os.path.join(folder, name + ".npy")).astype(np.float64)


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "params.json")) as f:
        params = json.load(f)
    for case, p in params.items():
        op = p["op"]
        if op == "conv2d":
            y = conv2d(load(folder, case + "_x"), load(folder, case + "_w"), load(folder, case + "_b"), p["stride"], p["padding"])
        elif op == "group_norm":
            y = group_norm(load(folder, case + "_x"), load(folder, case + "_gamma"), load(folder, case + "_beta"), p["groups"], p["eps"])
        elif op == "attention":
            y = attention(load(folder, case + "_q"), load(folder, case + "_k"), load(folder, case + "_v"), p["heads"])
        elif op == "geglu":
            y = geglu(load(folder, case + "_x"))
        else:
            raise SystemExit(f"unknown op {op}")
        np.save(os.path.join(folder, case + "_out.npy"), y.astype(np.float32))
    print(f"wrote {len(params)} reference outputs")


if __name__ == "__main__":
    main()

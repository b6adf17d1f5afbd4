#!/usr/bin/env python3
"""PyTorch (CPU) counterpart of cn-bench-tensor's training step, identical shapes and threads.

2 ldm ResBlocks (64 ch, emb 256) + 1 SpatialTransformer (GroupNorm, 1x1 proj_in, BasicTransformerBlock
with CustomNet dual cross-attention over a 78x768 context, 8 heads x 8, GEGLU FF, 1x1 proj_out),
batch 8, 32x32, MSE loss, AdamW (text k/v at 10x lr). Attention is written as ldm's CrossAttention
does it (einsum, softmax, einsum). Prints the median step time over N steps after one warm-up.
Usage: tensor_torch.py [--threads 2] [--repeats 5] [--sdpa]
"""
import argparse
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResBlock(nn.Module):
    def __init__(self, ch, emb):
        super().__init__()
        self.in_layers = nn.Sequential(nn.GroupNorm(32, ch, eps=1e-6), nn.SiLU(), nn.Conv2d(ch, ch, 3, padding=1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb, ch))
        self.out_layers = nn.Sequential(nn.GroupNorm(32, ch, eps=1e-6), nn.SiLU(), nn.Dropout(0.0), nn.Conv2d(ch, ch, 3, padding=1))

    def forward(self, x, emb):
        h = self.in_layers(x)
        h = h + self.emb_layers(emb)[:, :, None, None]
        return x + self.out_layers(h)


class CrossAttention(nn.Module):
    def __init__(self, qdim, cdim, heads, dim_head, dual):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.scale, self.dual = heads, dim_head ** -0.5, dual
        self.to_q = nn.Linear(qdim, inner, bias=False)
        self.to_k = nn.Linear(cdim, inner, bias=False)
        self.to_v = nn.Linear(cdim, inner, bias=False)
        if dual:
            self.to_k_text = nn.Linear(cdim, inner, bias=False)
            self.to_v_text = nn.Linear(cdim, inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, qdim), nn.Dropout(0.0))

    use_sdpa = False  # --sdpa: PyTorch's fused F.scaled_dot_product_attention instead of ldm's einsum

    def attend(self, q, k, v):
        b, n, _ = q.shape
        h = self.heads
        if CrossAttention.use_sdpa:
            q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2) for t in (q, k, v))
            return F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, -1)
        q, k, v = (t.reshape(b, -1, h, t.shape[-1] // h).transpose(1, 2).reshape(b * h, -1, t.shape[-1] // h) for t in (q, k, v))
        sim = torch.einsum("bid,bjd->bij", q, k) * self.scale
        out = torch.einsum("bij,bjd->bid", sim.softmax(dim=-1), v)
        return out.reshape(b, h, n, -1).transpose(1, 2).reshape(b, n, -1)

    def forward(self, x, context=None):
        context = x if context is None else context
        q = self.to_q(x)
        if self.dual:
            img, txt = context[:, :1], context[:, 1:]
            out = self.attend(q, self.to_k(img), self.to_v(img)) + 1.0 * self.attend(q, self.to_k_text(txt), self.to_v_text(txt))
        else:
            out = self.attend(q, self.to_k(context), self.to_v(context))
        return self.to_out(out)


class GEGLU(nn.Module):
    def __init__(self, dim, out):
        super().__init__()
        self.proj = nn.Linear(dim, out * 2)

    def forward(self, x):
        x, gate = self.proj(x).chunk(2, dim=-1)
        return x * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.net = nn.Sequential(GEGLU(dim, 4 * dim), nn.Dropout(0.0), nn.Linear(4 * dim, dim))

    def forward(self, x):
        return self.net(x)


class Block(nn.Module):
    def __init__(self, dim, heads, dim_head, cdim):
        super().__init__()
        self.attn1 = CrossAttention(dim, dim, heads, dim_head, False)
        self.ff = FeedForward(dim)
        self.attn2 = CrossAttention(dim, cdim, heads, dim_head, True)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(dim), nn.LayerNorm(dim), nn.LayerNorm(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class SpatialTransformer(nn.Module):
    def __init__(self, ch, heads, dim_head, cdim):
        super().__init__()
        inner = heads * dim_head
        self.norm = nn.GroupNorm(32, ch, eps=1e-6)
        self.proj_in = nn.Conv2d(ch, inner, 1)
        self.transformer_blocks = nn.ModuleList([Block(inner, heads, dim_head, cdim)])
        self.proj_out = nn.Conv2d(inner, ch, 1)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x))
        t = t.reshape(b, -1, h * w).transpose(1, 2)
        for blk in self.transformer_blocks:
            t = blk(t, context)
        t = t.transpose(1, 2).reshape(b, -1, h, w)
        return self.proj_out(t) + x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sdpa", action="store_true", help="use F.scaled_dot_product_attention (fused) for attention")
    args = ap.parse_args()
    CrossAttention.use_sdpa = args.sdpa
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    res1, res2 = ResBlock(64, 256), ResBlock(64, 256)
    st = SpatialTransformer(64, 8, 8, 768)
    model = nn.ModuleList([res1, res2, st])
    text = [p for n, p in model.named_parameters() if "to_k_text" in n or "to_v_text" in n]
    base = [p for n, p in model.named_parameters() if not ("to_k_text" in n or "to_v_text" in n)]
    opt = torch.optim.AdamW([{"params": base}, {"params": text, "lr": 1e-3}], lr=1e-4, foreach=False)
    x = torch.randn(8, 64, 32, 32)
    emb = torch.randn(8, 256)
    context = torch.randn(8, 78, 768)
    target = torch.randn(8, 64, 32, 32)

    def step():
        opt.zero_grad(set_to_none=False)
        y = st(res2(res1(x, emb), emb), context)
        loss = F.mse_loss(y, target)
        loss.backward()
        opt.step()
        return loss.item()

    step()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    cpu_per_step = (time.process_time() - cpu0) / args.repeats
    wall_per_step = (time.perf_counter() - wall0) / args.repeats
    print(f"torch step: {cpu_per_step:.2f} CPU-seconds per step, {cpu_per_step / wall_per_step:.2f} cores busy on average")
    times.sort()
    ms = times[len(times) // 2] * 1e3
    n_params = sum(p.numel() for p in model.parameters())
    best = times[0] * 1e3
    kind = "fused sdpa" if args.sdpa else "ldm einsum attention"
    print(f"torch {torch.__version__} ({kind}) step: {ms:.1f} ms median, {best:.1f} ms best of {args.repeats} ({args.threads} threads, {n_params} parameters)")
    print(f"TORCH_STEP_MS={ms:.3f}")
    print(f"TORCH_STEP_BEST_MS={best:.3f}")
    print(f"TORCH_STEP_CPU_S={cpu_per_step:.4f}")
    print("load average (1/5/15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Full-size (zero123 / SD-1.x) VAE reference and PyTorch CPU timings; run by scripts/interop/vae_fullsize.

Writes the same files as vae_reference.py for block_out_channels (128, 256, 512, 512), batch 1,
256x256 (float64 references, float32 weights), then times the float32 model's encode (posterior
of a [1, 3, 256, 256] image) and decode (a [1, 4, 32, 32] latent) on the CPU with --threads
threads, best and median of --repeats runs after one warm-up, into OUT/torch_timings.json.

Usage: vae_fullsize.py OUT [--threads N] [--repeats 3] [--seed 0]
"""
import argparse
import json
import os
import statistics
import time

import torch

from vae_reference import write_reference


def timed(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"best_s": min(times), "median_s": statistics.median(times), "runs": times}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    vae, x, z = write_reference(args.out, [128, 256, 512, 512], 1, 256, 256, args.seed)
    print(f"float64 reference written in {time.perf_counter() - start:.1f} s")
    model = vae.float()
    x32, z32 = x.float(), z.float()
    with torch.inference_mode():
        timings = {
            "threads": args.threads,
            "torch": torch.__version__,
            "encode": timed(lambda: model.encode(x32).latent_dist.mean, args.repeats),
            "decode": timed(lambda: model.decode(z32).sample, args.repeats),
        }
    with open(os.path.join(args.out, "torch_timings.json"), "w") as f:
        json.dump(timings, f, indent=1)
    print(f"PyTorch {torch.__version__} float32, {args.threads} threads: encode best {timings['encode']['best_s']:.3f} s, "
          f"decode best {timings['decode']['best_s']:.3f} s")


if __name__ == "__main__":
    main()

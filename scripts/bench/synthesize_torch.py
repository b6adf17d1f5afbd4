#!/usr/bin/env python3
"""Times the shipped external client (scripts/external/zero123_diffusers.py) in PyTorch on the CPU:
the model is loaded first (not timed), one item warms up, then every request of REQUESTS (JSON lines,
as cn-synthesize's external backend writes them) is synthesised and timed. Prints TORCH_VIEWS_PER_S.

Usage: synthesize_torch.py --model DIFFUSERS_FOLDER --requests FILE --out DIR --steps N [--threads T]
"""
import argparse
import importlib.util
import json
import os
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--requests", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "external", "zero123_diffusers.py")
    spec = importlib.util.spec_from_file_location("zero123_diffusers", path)
    client = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(client)
    os.makedirs(args.out, exist_ok=True)
    settings = argparse.Namespace(steps=args.steps, guidance=3.0, eta=0.0, spacing="ldm", out=args.out)
    models = client.load(args.model, "cpu")
    requests = [json.loads(line) for line in open(args.requests) if line.strip()]
    client.synthesize(models, requests[0], settings, "cpu")
    start = time.perf_counter()
    views = sum(len(client.synthesize(models, r, settings, "cpu")) for r in requests)
    elapsed = time.perf_counter() - start
    print(f"TORCH_VIEWS={views}")
    print(f"TORCH_VIEWS_PER_S={views / elapsed:.4f}")


if __name__ == "__main__":
    main()

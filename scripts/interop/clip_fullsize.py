#!/usr/bin/env python3
"""Full-size CLIP check (not in CI): ViT-L/14 vision and CLIP-L text with random weights.

Usage: clip_fullsize.py DIR
Then, for timings worth comparing, the Swift side in release:
  swift build -c release --build-tests -Xswiftc -enable-testing
  CN_FULLSIZE=1 CN_FULLSIZE_DIR=DIR swift test -c release -Xswiftc -enable-testing --skip-build --filter CLIPFullSize
(OpenBLAS 0.3.21's DYNAMIC_ARCH detects this machine's virtual Xeon as "Prescott" and runs SSE3
kernels; OPENBLAS_CORETYPE=SkylakeX selects the AVX-512 ones, about 4x faster here.)

Builds transformers `CLIPVisionModelWithProjection` with zero123's ViT-L/14 shapes (width 1024, 24
layers, 16 heads, patch 14, 224 px, 768-d projection) and `CLIPTextModel` with CLIP-L text shapes
(768 wide, 12 layers, 12 heads, 77 positions, 49408 tokens), both quick_gelu, random weights
(perturbed so norms and biases are not trivial) stored in float32, and writes into DIR:

  ldm.safetensors    the vision tower in zero123's OpenAI layout (cond_stage_model.model.visual.*, fused
                     in_proj, proj = visual_projection.weight^T) and the text tower in CustomNet's layout
                     (text_encoder.transformer.text_model.*)
  pixels.npy, ids.npy                    a CLIP-normalised [1, 3, 224, 224] input and [1, 77] token ids
  image_embeds.npy, hidden.npy           float64 references (the same weights, computed in float64)
  torch.json         PyTorch float32 CPU wall times (best of 3 after a warm-up, torch.inference_mode) at
                     the thread count of $CN_THREADS (default 2, the Swift ComputeThreads count here),
                     and PyTorch float32's own relative L2 error against the float64 reference
"""
import json
import os
import sys
import time

import numpy as np
import torch
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference import build_text, build_vision, f32, save, vision_to_openai  # noqa: E402


def best_of(fn, repeats=3):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def relative_l2(a, b):
    return float(np.linalg.norm(a.astype(np.float64) - b) / np.linalg.norm(b))


def main(folder):
    os.makedirs(folder, exist_ok=True)
    threads = int(os.environ.get("CN_THREADS", "2"))
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(4321)
    vision = build_vision(width=1024, layers=24, patch=14, image=224, embed=768, generator=g)
    text = build_text(vocab=49408, width=768, layers=12, generator=g)
    vsd, tsd = vision.state_dict(), text.state_dict()
    ldm = {"cond_stage_model.model.visual." + k: v for k, v in vision_to_openai(vsd, 24).items()}
    ldm.update({"text_encoder.transformer.text_model." + k: v for k, v in tsd.items()})
    save_file(f32(ldm), os.path.join(folder, "ldm.safetensors"))
    del ldm, vsd, tsd

    pixels = torch.randn(1, 3, 224, 224, generator=g).float()
    ids = torch.randint(0, 49408, (1, 77), generator=g)
    save(folder, "pixels", pixels.numpy())
    save(folder, "ids", ids.double().numpy())

    report = {"threads": threads, "torch": torch.__version__}
    with torch.inference_mode():
        vision.float()
        text.float()
        report["torch_vision_seconds"] = best_of(lambda: vision(pixel_values=pixels))
        report["torch_text_seconds"] = best_of(lambda: text(input_ids=ids))
        image32 = vision(pixel_values=pixels).image_embeds.numpy()
        hidden32 = text(input_ids=ids).last_hidden_state.numpy()
        vision.double()
        text.double()
        image64 = vision(pixel_values=pixels.double()).image_embeds.numpy()
        hidden64 = text(input_ids=ids).last_hidden_state.numpy()
    save(folder, "image_embeds", image64)
    save(folder, "hidden", hidden64)
    report["torch_f32_vision_relative_l2"] = relative_l2(image32, image64)
    report["torch_f32_text_relative_l2"] = relative_l2(hidden32, hidden64)
    with open(os.path.join(folder, "torch.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])

#!/usr/bin/env python3
"""An independent Python construction of CustomNet's concat image, to check the Swift one.

Written from the paper's description (reference pasted at the target box on a white 256x256
canvas) and the facts of TencentARC/CustomNet data/dataset.py: bbox scaled with 255/W and
255/H and truncated; square side trunc(max(w,h)*256/200) centred with floor division; clipped
to the canvas with the cut-off part trimmed from the source window (trunc(overhang*256/side));
source window resized with torch's bilinear (align_corners=False, no antialias); on error the
loader uses the bare reference. Pillow does the canvas and paste; the bilinear resize is done
with numpy in torch's convention, and Pillow's own BILINEAR resize (which antialiases when
shrinking) is computed too, to show how far the choice of filter moves pixels.

usage: customnet_concat.py SPEC.json
       customnet_concat.py --folder SAMPLE_DIR VIEW_INDEX OUT.npy
         (the loader's steps on a `--format customnet` export folder: target size from input.jpg,
          bbox from meta.json, reference = multi_view_{VIEW_INDEX:02d}.jpg resized to 256; writes
          the concat and prints {"T": [...], "size": [W, H]})
SPEC: {"reference": ref.npy or ref.png (resized to 256x256 with Pillow bilinear if needed), "cases": [{"bbox": [x,y,w,h], "size": [W,H]}, ...],
       "out": out.npy, "pil_out": out_pil.npy}
Writes (N,256,256,3) float32 arrays of 0..255 levels; prints one JSON line of statistics.
"""
import json
import sys

import numpy as np
from PIL import Image

CANVAS = 256


def layout(bbox, size):
    """Return (dst x0,y0,x1,y1, src xx0,yy0,xx1,yy1) or None where CustomNet falls back."""
    W, H = size
    x, y, w, h = bbox
    x, w = int(255 * x / W), int(255 * w / W)
    y, h = int(255 * y / H), int(255 * h / H)
    side = int(max(w, h) * 256 / 200)
    if side <= 0:
        return None
    left = x - (side - w) // 2
    top = y - (side - h) // 2
    right, bottom = left + side, top + side
    sx0, sy0, sx1, sy1 = 0, 0, CANVAS, CANVAS
    if left < 0:
        sx0 += int(-left * 256 / side)
        left = 0
    if top < 0:
        sy0 += int(-top * 256 / side)
        top = 0
    if right > CANVAS:
        sx1 = CANVAS - int((right - CANVAS) * 256 / side)
        right = CANVAS
    if bottom > CANVAS:
        sy1 = CANVAS - int((bottom - CANVAS) * 256 / side)
        bottom = CANVAS
    if right <= left or bottom <= top or sx1 <= sx0 or sy1 <= sy0:
        return None
    return (left, top, right, bottom), (sx0, sy0, sx1, sy1)


def bilinear_torch(src, out_h, out_w):
    """Bilinear resize with half-pixel centres, source index clamped at 0, edge-clamped upper tap."""
    in_h, in_w = src.shape[:2]

    def taps(n_in, n_out):
        scale = np.float32(n_in) / np.float32(n_out)
        pos = np.maximum((np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5), np.float32(0))
        lo = pos.astype(np.int64)
        hi = np.where(lo < n_in - 1, lo + 1, lo)
        return lo, hi, (pos - lo).astype(np.float32)

    ylo, yhi, wy = taps(in_h, out_h)
    xlo, xhi, wx = taps(in_w, out_w)
    s = src.astype(np.float32)
    top = s[ylo][:, xlo] * (1 - wx)[None, :, None] + s[ylo][:, xhi] * wx[None, :, None]
    bot = s[yhi][:, xlo] * (1 - wx)[None, :, None] + s[yhi][:, xhi] * wx[None, :, None]
    out = top * (1 - wy)[:, None, None] + bot * wy[:, None, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def concat(reference, bbox, size, use_pil_filter=False):
    place = layout(bbox, size)
    if place is None:
        return np.asarray(reference).copy()
    (x0, y0, x1, y1), (sx0, sy0, sx1, sy1) = place
    window = reference.crop((sx0, sy0, sx1, sy1))
    if use_pil_filter:
        resized = window.resize((x1 - x0, y1 - y0), Image.BILINEAR)
    else:
        resized = Image.fromarray(bilinear_torch(np.asarray(window), y1 - y0, x1 - x0))
    canvas = Image.new("RGB", (CANVAS, CANVAS), (255, 255, 255))
    canvas.paste(resized, (x0, y0))
    return np.asarray(canvas)


def from_folder(folder, view_index, out):
    import math
    import os
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    W, H = Image.open(os.path.join(folder, "input.jpg")).size
    reference = Image.open(os.path.join(folder, f"multi_view_{view_index:02d}.jpg")).convert("RGB")
    if reference.size != (CANVAS, CANVAS):
        reference = reference.resize((CANVAS, CANVAS), Image.BILINEAR)
    np.save(out, concat(reference, meta["bbox"], (W, H)).astype(np.float32))
    x, y, z = meta["view"][view_index]
    print(json.dumps({"T": [math.radians(-x), math.sin(math.radians(-y)), math.cos(math.radians(-y)), -z], "size": [W, H]}))


def main():
    if sys.argv[1] == "--folder":
        from_folder(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    if spec["reference"].endswith(".npy"):
        reference = Image.fromarray(np.load(spec["reference"]).astype(np.uint8), "RGB")
    else:
        reference = Image.open(spec["reference"]).convert("RGB")
    if reference.size != (CANVAS, CANVAS):  # the loader: transforms.Resize((256, 256)) on the PIL image
        reference = reference.resize((CANVAS, CANVAS), Image.BILINEAR)
    torch_style = np.stack([concat(reference, c["bbox"], c["size"]) for c in spec["cases"]])
    pil_style = np.stack([concat(reference, c["bbox"], c["size"], True) for c in spec["cases"]])
    np.save(spec["out"], torch_style.astype(np.float32))
    np.save(spec["pil_out"], pil_style.astype(np.float32))
    diff = np.abs(torch_style.astype(int) - pil_style.astype(int))
    print(json.dumps({"cases": len(spec["cases"]),
                      "fallbacks": sum(layout(c["bbox"], c["size"]) is None for c in spec["cases"]),
                      "pil_vs_torch_max": int(diff.max()), "pil_vs_torch_mean": float(diff.mean()),
                      "pil_vs_torch_over1": float((diff > 1).mean())}))


if __name__ == "__main__":
    main()

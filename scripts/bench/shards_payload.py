#!/usr/bin/env python3
"""Generate the sample payloads of the shard benchmark once, as files `{key}.{field}` in a
folder that both the Swift writer and the Python webdataset TarWriter read (same bytes).
Sizes mimic CustomNet samples: a 256x256 photo-like target PNG, a reference and a concat PNG
that are mostly white canvas, a caption and a JSON record.

usage: shards_payload.py OUT_DIR SAMPLES [SEED]
"""
import io
import json
import os
import sys

import numpy as np
from PIL import Image


def png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    os.makedirs(out, exist_ok=True)
    yy, xx = np.mgrid[0:256, 0:256]
    for i in range(count):
        key = f"{i:010d}"
        base = ((xx * (1 + i % 5) + yy * 2 + i) % 256).astype(np.uint8)
        target = np.stack([base, base[::-1], (base // 2 + 60)], -1)
        target = np.clip(target.astype(int) + rng.integers(-25, 26, target.shape), 0, 255).astype(np.uint8)
        ref = np.full((256, 256, 3), 255, np.uint8)
        ref[28:228, 40:216] = target[28:228, 40:216]
        concat = np.full((256, 256, 3), 255, np.uint8)
        concat[60:190, 80:200] = target[0:130, 0:120]
        fields = {
            "target.png": png(target),
            "ref.png": png(ref),
            "concat.png": png(concat),
            "txt": f"a photo of object {i} on a wooden table near a window".encode(),
            "json": json.dumps({"T": [0.1 * (i % 7), 0.5, 0.866, 0.0], "bbox": [i % 50, 20, 120, 130], "key": key,
                                "split": "train", "source": {"asset": f"uid{i // 12}"}}, sort_keys=True).encode(),
        }
        for field, data in fields.items():
            with open(os.path.join(out, f"{key}.{field}"), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()

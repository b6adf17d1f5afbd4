"""A synthetic corpus in the shards contract for the cn-train benchmark: WORKDIR/shards/
train-000000.tar and val-000000.tar, samples of 256x256 PNGs (a coloured square on white that
moves with the azimuth of T), ref/target/concat/txt/json. Usage: train_corpus.py WORKDIR [N]
"""
import io
import json
import math
import os
import random
import sys
import tarfile

from PIL import Image, ImageDraw

work, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 64
os.makedirs(f"{work}/shards", exist_ok=True)
rng = random.Random(0)
sid = 1
for split, count in (("train", n), ("val", max(4, n // 8))):
    with tarfile.open(f"{work}/shards/{split}-000000.tar", "w", format=tarfile.USTAR_FORMAT) as tar:
        for _ in range(count):
            az = rng.uniform(-math.pi, math.pi)
            colour = tuple(rng.randrange(200) for _ in range(3))

            def png(x):
                im = Image.new("RGB", (256, 256), "white")
                ImageDraw.Draw(im).rectangle([x, 96, x + 64, 160], fill=colour)
                b = io.BytesIO()
                im.save(b, "PNG")
                return b.getvalue()

            key = f"{sid:010d}"
            fields = {"target.png": png(96 + int(60 * math.sin(az))), "ref.png": png(96), "concat.png": png(96 + int(60 * math.sin(az))),
                      "txt": b"a coloured square", "json": json.dumps({"T": [0.1, math.sin(az), math.cos(az), 0.0], "id": sid}).encode()}
            for name, data in fields.items():
                info = tarfile.TarInfo(f"{key}.{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            sid += 1
print(sid - 1)

#!/usr/bin/env python3
"""The Python reference of scripts/bench/extract: Pillow + numpy doing cn-extract's per-object work
on the same ingested workdir, with N worker processes.

Per accepted object: read and decode the JPEG, turn it upright by Rotation, read the mask PNG from
its {split}-masks-{c}.zip, binarise (> 127), check the aspect, orient and resize the mask to the
photo (nearest), largest connected component share (8-connected, by flood fills), box from the
mask, RGBA cut-out, reference (long side 200 centred on white 256), square target crop (margin
0.15, white padding) resized to 256, target mask (nearest), four PNGs written (zlib level L,
default 6) durably as cn-extract writes them (temporary name, fsync, rename, folder fsync).
No manifest rows are written (cn-extract also commits rows: the comparison favours Python).
Usage: extract_pillow.py WORKDIR OUT JOBS [PNG_LEVEL]   -> prints "python: N objects ... in S s"
"""
import multiprocessing as mp
import os
import sqlite3
import sys
import time
import zipfile

import numpy as np
from PIL import Image, ImageDraw

ZIPS = {}


def mask_bytes(root, split, image_id, name):
    path = f"{root}/{split}-masks-{image_id[0].lower()}.zip"
    archive = ZIPS.get(path)
    if archive is None:
        archive = ZIPS[path] = zipfile.ZipFile(path)
    return archive.read(name)


def largest_share(mask):
    """Largest 8-connected component / foreground, with Pillow flood fills (no scipy)."""
    # Pillow's flood fill is 4-connected: bridge diagonal neighbours first so components are 8-connected,
    # then count only the original mask's pixels of each filled component.
    bridged = mask.copy()
    bridged[:-1, 1:] |= mask[:-1, :-1] & mask[1:, 1:]
    bridged[:-1, :-1] |= mask[:-1, 1:] & mask[1:, :-1]
    img = Image.fromarray(np.where(bridged, 255, 0).astype(np.uint8)).copy()  # writable
    arr = np.asarray(img)
    total = int(mask.sum())
    largest, label = 0, 1
    while label < 250:
        flat = np.flatnonzero(arr == 255)
        if flat.size == 0:
            break
        y, x = divmod(int(flat[0]), arr.shape[1])
        ImageDraw.floodfill(img, (x, y), label, thresh=0)  # 4-connected in Pillow
        arr = np.asarray(img)
        largest = max(largest, int(((arr == label) & mask).sum()))
        label += 1
    return largest / total if total else 0.0


def extract(job):
    object_id, photo, rotation, mask_path, image_id, root, split, out, level = job
    if not os.path.exists(photo):
        return "missing-photo"
    try:
        image = Image.open(photo)
        image.load()
    except Exception:
        return "corrupt-jpeg"
    image = image.convert("RGB")
    stored_w, stored_h = image.size
    rot = rotation or 0
    if rot:
        image = image.transpose({90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}[rot])
    m = Image.open(__import__("io").BytesIO(mask_bytes(root, split, image_id, mask_path)))
    mw, mh = m.size

    def fits(w, h):
        return abs(mw * h / w - mh) <= max(2, 0.01 * mh)
    if not (fits(stored_w, stored_h) or fits(stored_h, stored_w)):
        return "mask-aspect-mismatch"
    m = m.convert("L")
    turn = rot
    if rot in (90, 270):
        aspect, stored = mw / mh, stored_w / stored_h
        turn = rot if abs(np.log(aspect / stored)) <= abs(np.log(aspect * stored)) else 0
    if turn:
        m = m.transpose({90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}[turn])
    w, h = image.size
    if m.size != (w, h):
        m = m.resize((w, h), Image.Resampling.NEAREST)
    mask = np.asarray(m) > 127
    if not mask.any():
        return "empty-mask"
    if largest_share(mask) < 0.9:
        return "fragmented-mask"
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    x0, x1, y0, y1 = int(cols[0]), int(cols[-1]) + 1, int(rows[0]), int(rows[-1]) + 1
    if x0 == 0 or y0 == 0 or x1 == w or y1 == h:
        return "mask-touches-border"
    bw, bh = x1 - x0, y1 - y0
    alpha = Image.fromarray(np.where(mask, 255, 0).astype(np.uint8))
    cutout = image.crop((x0, y0, x1, y1)).convert("RGBA")
    cutout.putalpha(alpha.crop((x0, y0, x1, y1)))
    scale = 200 / max(bw, bh)
    rw, rh = max(1, round(bw * scale)), max(1, round(bh * scale))
    ref = Image.new("RGB", (256, 256), "white")
    scaled = cutout.resize((rw, rh), Image.Resampling.BICUBIC)
    ref.paste(scaled, ((256 - rw) // 2, (256 - rh) // 2), scaled)
    side = max(max(bw, bh), min(round(max(bw, bh) * 1.3), max(w, h)))

    def place(start, length, limit):
        centred = int(np.floor(start + length / 2 - side / 2))
        return min(max(centred, 0), limit - side) if side <= limit else centred
    cx, cy = place(x0, bw, w), place(y0, bh, h)
    canvas = Image.new("RGB", (side, side), "white")
    canvas.paste(image.crop((max(cx, 0), max(cy, 0), min(cx + side, w), min(cy + side, h))), (max(-cx, 0), max(-cy, 0)))
    target = canvas.resize((256, 256), Image.Resampling.BICUBIC)
    mcanvas = Image.new("L", (side, side), 0)
    mcanvas.paste(alpha.crop((max(cx, 0), max(cy, 0), min(cx + side, w), min(cy + side, h))), (max(-cx, 0), max(-cy, 0)))
    target_mask = mcanvas.resize((256, 256), Image.Resampling.NEAREST)
    folder = f"{out}/{object_id}"
    os.makedirs(folder, exist_ok=True)
    for name, picture in (("object.png", cutout), ("ref.png", ref), ("target.png", target), ("target_mask.png", target_mask)):
        durable_save(picture, f"{folder}/{name}", level)
    fd = os.open(folder, os.O_RDONLY)  # the renames survive a power cut, as cn-extract's
    os.fsync(fd)
    os.close(fd)
    return "done"


def durable_save(picture, path, level):
    """What cn-extract does for every file (docs/CONTRACTS.md): temporary name, fsync, rename."""
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        picture.save(f, format="PNG", compress_level=level)
        f.flush()
        os.fsync(f.fileno())
    os.rename(temporary, path)


def main():
    workdir, out, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    level = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    db = sqlite3.connect(f"file:{workdir}/manifest.sqlite?mode=ro", uri=True)
    work = [tuple(r) + (out, level) for r in db.execute(
        "SELECT o.id, i.path, i.rotation, o.mask_path, o.image_id, r.root, i.split FROM object o JOIN image i ON i.id = o.image_id "
        "JOIN dataset_root r ON r.dataset = 'openimages' AND r.split = i.split WHERE o.accepted = 1 ORDER BY o.id")]
    start = time.perf_counter()
    with mp.Pool(jobs) as pool:
        outcomes = pool.map(extract, work, chunksize=4)
    seconds = time.perf_counter() - start
    done = outcomes.count("done")
    print(f"python: {done} objects extracted ({len(outcomes) - done} failed or skipped) in {seconds:.3f} s on {jobs} processes")


if __name__ == "__main__":
    main()

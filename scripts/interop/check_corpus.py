#!/usr/bin/env python3
"""Checks a workdir's corpus with the tools PyTorch users have (run by the Swift tests).

- webdataset reads every shard of every split and finds exactly the manifest's samples of that
  split (keys = zero-padded ids), each with target/ref/concat images of 256x256, the caption,
  and the T vector and bbox the manifest holds (1e-6);
- numpy.load reads every view pose (.npy, 3x4) of the manifest;
- for Objaverse samples, zero123's get_T (numpy re-implementation in get_T.py) on the two views'
  .npy files equals the manifest's T (1e-5);
- no source (asset or photo) appears in two splits;
- every shard index's sha256 and sample count match the tar.
Prints one line of counts and exits 0, or prints the first problems and exits 1.
Usage: check_corpus.py WORKDIR
"""
import glob
import hashlib
import json
import os
import sqlite3
import sys

import numpy as np
import webdataset as wds

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from get_T import get_T  # noqa: E402


def main():
    workdir = sys.argv[1]
    db = sqlite3.connect(f"file:{workdir}/manifest.sqlite?mode=ro", uri=True)
    problems = []
    samples = {row[0]: row for row in db.execute(
        "SELECT id, split, polar, az_sin, az_cos, radius, bbox_x, bbox_y, bbox_w, bbox_h, caption, source, kind FROM sample")}
    seen = {}
    for split in ("train", "val", "test"):
        shards = sorted(glob.glob(f"{workdir}/shards/{split}-*.tar"))
        for shard in shards:
            index = json.load(open(shard[:-4] + ".json"))
            digest = hashlib.sha256(open(shard, "rb").read()).hexdigest()
            if index.get("sha256") != digest:
                problems.append(f"{shard}: index sha256 {index.get('sha256')} != {digest}")
            count = 0
            for sample in wds.WebDataset(shard, shardshuffle=False).decode("pil"):
                count += 1
                key = int(sample["__key__"])
                seen[key] = split
                row = samples.get(key)
                if row is None:
                    problems.append(f"{shard}: key {sample['__key__']} is not a manifest sample")
                    continue
                if row[1] != split:
                    problems.append(f"sample {key} is in a {split} shard but the manifest says {row[1]}")
                for field in ("target.png", "ref.png", "concat.png"):
                    if sample[field].size != (256, 256):
                        problems.append(f"sample {key}: {field} is {sample[field].size}")
                meta = sample["json"]
                if any(abs(a - b) > 1e-6 for a, b in zip(meta["T"], row[2:6])):
                    problems.append(f"sample {key}: T {meta['T']} != manifest {row[2:6]}")
                if meta["bbox"] != list(row[6:10]):
                    problems.append(f"sample {key}: bbox {meta['bbox']} != manifest {row[6:10]}")
                if sample["txt"] != (row[10] or ""):
                    problems.append(f"sample {key}: caption differs")
                if row[12] == "objaverse":
                    ref, target = np.array(meta["ref_pose"]), np.array(meta["target_pose"])
                    t = get_T(target, ref)
                    if any(abs(a - b) > 1e-5 for a, b in zip(t, row[2:6])):
                        problems.append(f"sample {key}: get_T of its poses {t} != manifest {row[2:6]}")
            if count != index.get("sample_count", index.get("samples", count)):
                problems.append(f"{shard}: {count} samples, index says {index}")
    missing = set(samples) - set(seen)
    if missing:
        problems.append(f"{len(missing)} manifest samples in no shard, e.g. {sorted(missing)[:3]}")
    sources = {}
    for key, row in samples.items():
        source = "/".join(row[11].split("/")[:2])
        sources.setdefault(source, set()).add(row[1])
    leaks = [s for s, splits in sources.items() if len(splits) > 1]
    if leaks:
        problems.append(f"sources in two splits: {leaks[:3]}")
    poses = 0
    for asset, idx, pose in db.execute("SELECT asset_id, idx, pose FROM view"):
        matrix = np.load(os.path.join(workdir, pose))
        poses += 1
        if matrix.shape != (3, 4):
            problems.append(f"{pose}: shape {matrix.shape}")
    views = {}
    for asset, idx, pose in db.execute("SELECT asset_id, idx, pose FROM view ORDER BY asset_id, idx"):
        views[(asset, idx)] = np.load(os.path.join(workdir, pose))
    pairs = 0
    for key, row in samples.items():
        if row[12] != "objaverse":
            continue
        _, asset, pair = row[11].split("/")
        ref_idx, target_idx = (int(v) for v in pair.split("-"))
        t = get_T(views[(asset, target_idx)], views[(asset, ref_idx)])
        pairs += 1
        if any(abs(a - b) > 1e-5 for a, b in zip(t, row[2:6])):
            problems.append(f"sample {key}: get_T from the .npy files {t} != manifest {row[2:6]}")
    if problems:
        print("\n".join(problems[:20]))
        sys.exit(1)
    print(f"ok: {len(seen)} samples read by webdataset, {poses} poses read by numpy, {pairs} get_T checks, {len(sources)} sources, no leaks")


if __name__ == "__main__":
    main()

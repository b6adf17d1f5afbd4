#!/usr/bin/env python3
"""Interop check: read shards written by the Swift Shards library with the Python `webdataset`
package (the reader CustomNet/PyTorch users have) and compare every sample with expectations.

usage: webdataset_check.py EXPECTATIONS.json

EXPECTATIONS.json: {"shards": [tar paths in order], "indexes": [index json paths],
                    "samples": [{"key", "fields", "sizes": {field: [w, h]}, "T", "caption", "bbox"}]}
Exit 0 and print "OK ..." when everything matches; else print each mismatch and exit 1.
"""
import hashlib
import json
import os
import sys

import webdataset as wds


def main() -> int:
    with open(sys.argv[1]) as f:
        expect = json.load(f)
    problems = []

    # Indexes: sample count, byte size and sha256 of each tar.
    for tar, index_path in zip(expect["shards"], expect["indexes"]):
        with open(index_path) as f:
            index = json.load(f)
        with open(tar, "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != index["sha256"]:
            problems.append(f"{tar}: sha256 differs from its index")
        if len(data) != index["bytes"]:
            problems.append(f"{tar}: {len(data)} bytes, index says {index['bytes']}")
        if index["shard"] != os.path.basename(tar):
            problems.append(f"{index_path}: names shard {index['shard']}")

    dataset = wds.WebDataset(expect["shards"], shardshuffle=False).decode("pil")
    seen = list(dataset)
    wanted = expect["samples"]
    if [s["__key__"] for s in seen] != [w["key"] for w in wanted]:
        problems.append(f"keys differ: got {[s['__key__'] for s in seen][:5]}..., want {[w['key'] for w in wanted][:5]}...")
    for got, want in zip(seen, wanted):
        key = want["key"]
        fields = sorted(k for k in got if not k.startswith("__"))
        if fields != sorted(want["fields"]):
            problems.append(f"{key}: fields {fields}, want {sorted(want['fields'])}")
            continue
        for field, size in want["sizes"].items():
            image = got[field]
            if list(image.size) != size:
                problems.append(f"{key}: {field} is {image.size}, want {size}")
        meta = got["json"]
        if meta["T"] != want["T"]:
            problems.append(f"{key}: T {meta['T']}, want {want['T']}")
        if meta["bbox"] != want["bbox"]:
            problems.append(f"{key}: bbox {meta['bbox']}, want {want['bbox']}")
        for pose in ("ref_pose", "target_pose"):
            if pose in meta and (len(meta[pose]) != 3 or any(len(row) != 4 for row in meta[pose])):
                problems.append(f"{key}: {pose} is not 3x4")
        if meta["split"] != want.get("split", meta["split"]) or meta["kind"] not in ("objaverse", "openimages"):
            problems.append(f"{key}: split/kind {meta['split']}/{meta['kind']}")
        if meta["key"] != key:
            problems.append(f"{key}: json key {meta['key']}")
        if got["txt"] != want["caption"]:
            problems.append(f"{key}: caption {got['txt']!r}, want {want['caption']!r}")
    for line in problems[:50]:
        print(line)
    if problems:
        print(f"FAILED: {len(problems)} problems")
        return 1
    print(f"OK {len(seen)} samples in {len(expect['shards'])} shards read by webdataset {getattr(wds, '__version__', '?')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The Python side of the shard benchmark: load the payload folder into memory (as the Swift
bench does), then time webdataset.ShardWriter writing the same samples, optionally fsyncing
each finished shard and hashing it with hashlib (what our index needs), so the comparison is
like for like. Prints one JSON line (wall seconds and CPU seconds, user + system).

usage: shards_python_writer.py PAYLOAD_DIR OUT_DIR MAX_SAMPLES MAX_BYTES [--fsync] [--sha256]
"""
import glob
import hashlib
import json
import os
import sys
import time

import webdataset as wds

ORDER = ["target.png", "target.jpg", "ref.png", "concat.png", "txt", "json"]


def main():
    payload, out, max_samples, max_bytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    do_fsync, do_sha = "--fsync" in sys.argv, "--sha256" in sys.argv
    samples = {}
    for name in sorted(n for n in os.listdir(payload) if not n.startswith(".")):
        key, field = name.split(".", 1)
        with open(os.path.join(payload, name), "rb") as f:
            samples.setdefault(key, {})[field] = f.read()
    ordered = [{"__key__": k, **{f: v[f] for f in sorted(v, key=ORDER.index)}} for k, v in sorted(samples.items())]
    os.makedirs(out, exist_ok=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    with wds.ShardWriter(os.path.join(out, "train-%06d.tar"), maxcount=max_samples, maxsize=max_bytes,
                         encoder=False, verbose=0, mtime=0) as sink:
        for sample in ordered:
            sink.write(sample)
    shards = sorted(glob.glob(os.path.join(out, "train-*.tar")))
    for path in shards:
        if do_fsync or do_sha:
            with open(path, "rb+") as f:
                if do_sha:
                    digest = hashlib.sha256()
                    while chunk := f.read(4 << 20):
                        digest.update(chunk)
                if do_fsync:
                    os.fsync(f.fileno())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    total = sum(os.path.getsize(p) for p in shards)
    print(json.dumps({"writer": "python-webdataset", "fsync": do_fsync, "sha256": do_sha, "samples": len(ordered),
                      "shards": len(shards), "bytes": total, "seconds": seconds, "cpu_seconds": cpu, "mb_per_s": total / seconds / 1e6}))


if __name__ == "__main__":
    main()

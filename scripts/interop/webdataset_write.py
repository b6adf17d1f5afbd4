#!/usr/bin/env python3
"""Interop in the other direction: write a shard with the Python `webdataset` TarWriter (as
third-party corpora are made) for the Swift WebDatasetReader to read back.

usage: webdataset_write.py OUT.tar COUNT
Sample i: key f"s{i:04d}" (sample 0 instead has a 120-character key under a folder, which
Python's tarfile stores with a pax header), fields "target.png" (bytes b"png-i"*(i+1)), "txt" (f"caption {i}"),
"json" ({"i": i}), "cls" (i % 3).
"""
import sys

import webdataset as wds


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    with wds.TarWriter(out) as sink:
        for i in range(count):
            key = "deep/" + "k" * 120 if i == 0 else f"s{i:04d}"
            sink.write({"__key__": key, "target.png": f"png-{i}".encode() * (i + 1),
                        "txt": f"caption {i}", "json": {"i": i}, "cls": i % 3})


if __name__ == "__main__":
    main()

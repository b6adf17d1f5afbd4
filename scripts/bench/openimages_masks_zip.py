#!/usr/bin/env python3
"""Writes a mask zip shaped like one of Open Images' 16 train-masks-X.zip (about 170,000 flat PNG
entries, deflated) plus ZIP.names listing them, for `cn-bench-openimages zipread ZIP`; then times
Python's zipfile doing the same random reads as the baseline.
Usage: openimages_masks_zip.py ZIP [ENTRIES]"""
import random, resource, sys, time, zipfile, zlib

path = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 170000
rng = random.Random(5)
names = []
if not (len(sys.argv) > 3 and sys.argv[3] == "--reuse"):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for k in range(count):
            name = "f%015x_m%05x_%08x.png" % (rng.getrandbits(60), rng.getrandbits(20), rng.getrandbits(32))
            names.append(name)
            # A mask PNG is mostly zeros: about 2-8 KB deflated.
            z.writestr(name, b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(64)) + bytes(6000))
    open(path + ".names", "w").write("\n".join(names) + "\n")
names = open(path + ".names").read().split()
order = names[:]
random.Random(7).shuffle(order)
start = time.perf_counter()
z = zipfile.ZipFile(path)
opened = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
total = sum(len(z.read(n)) for n in order)
seconds = time.perf_counter() - start
print(f"python zipfile: {len(z.namelist())} entries indexed in {opened:.2f} s (peak RSS {rss:.0f} MB), "
      f"{len(order)} random reads in {seconds:.2f} s: {len(order) / seconds:.0f} reads/s, {total / 1e6:.0f} MB inflated")

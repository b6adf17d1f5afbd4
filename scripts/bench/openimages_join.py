#!/usr/bin/env python3
"""The obvious Python alternative to MaskBoxJoin + ObjectFilter: csv module, a dict of masks keyed
by (ImageID, LabelName), a stream over the box CSV, the same 1e-6 tolerance and filter defaults.
Usage: openimages_join.py DIR   (reads DIR/segmentation.csv and DIR/boxes.csv)"""
import csv, resource, sys, time
from collections import Counter

folder = sys.argv[1]
start = time.perf_counter()
masks = []          # (row, box)
index = {}          # (ImageID, LabelName) -> [mask index]
with open(folder + "/segmentation.csv", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    for row in reader:
        box = tuple(float(row[col[c]]) for c in ("BoxXMin", "BoxXMax", "BoxYMin", "BoxYMax"))
        iou = float(row[col["PredictedIoU"]]) if row[col["PredictedIoU"]] else None
        index.setdefault((row[col["ImageID"]], row[col["LabelName"]]), []).append(len(masks))
        masks.append((row[col["MaskPath"]], row[col["ImageID"]], row[col["LabelName"]], row[col["BoxID"]], box, iou))
flags = [None] * len(masks)
box_rows = 0
with open(folder + "/boxes.csv", newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    col = {name: i for i, name in enumerate(header)}
    ci, cl = col["ImageID"], col["LabelName"]
    cb = [col[c] for c in ("XMin", "XMax", "YMin", "YMax")]
    cf = [col[c] for c in ("IsOccluded", "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside")]
    for row in reader:
        box_rows += 1
        candidates = index.get((row[ci], row[cl]))
        if not candidates:
            continue
        box = [float(row[c]) for c in cb]
        for m in candidates:
            mb = masks[m][4]
            if all(abs(a - b) <= 1e-6 for a, b in zip(mb, box)) and flags[m] is None:
                flags[m] = tuple(int(row[c]) if row[c] else -1 for c in cf)
kept, rejected = 0, Counter()
for m, (path, image, label, box_id, box, iou) in enumerate(masks):
    f = flags[m]
    if f is not None:
        occluded, truncated, group, depiction, inside = f
        if group == 1: rejected["group-of"] += 1; continue
        if depiction == 1: rejected["depiction"] += 1; continue
        if inside == 1: rejected["inside"] += 1; continue
        if truncated == 1: rejected["truncated"] += 1; continue
    area = max(0, box[1] - box[0]) * max(0, box[3] - box[2])
    if area < 0.02: rejected["box-area-too-small"] += 1; continue
    if area > 0.8: rejected["box-area-too-large"] += 1; continue
    if iou is not None and iou < 0.6: rejected["low-predicted-iou"] += 1; continue
    kept += 1
seconds = time.perf_counter() - start
matched = sum(1 for f in flags if f is not None)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"masks {len(masks)}, boxes {box_rows}, matched {matched}")
print("kept %d, rejected %s" % (kept, " ".join(f"{k}={v}" for k, v in sorted(rejected.items()))))
print(f"python: {seconds:.2f} s, {(len(masks) + box_rows) / seconds / 1e6:.2f} M input rows/s, peak RSS {peak:.0f} MB")

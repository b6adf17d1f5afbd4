#!/usr/bin/env python3
"""Zero-1-to-3's relative pose, re-implemented with numpy from zero123/ldm/data/simple.py
(ObjaverseData.cartesian_to_spherical and get_T), applied to saved {i:03d}.npy pose files.

Usage: get_T.py FOLDER   -> prints JSON {"pairs": [[i, j, [dpolar, sin daz, cos daz, dradius]], ...]}
for every ordered pair (target i, condition j) of the .npy files in FOLDER (sorted by name).
"""
import json
import math
import os
import sys

import numpy as np


def cartesian_to_spherical(xyz):
    ptsnew = np.hstack((xyz, np.zeros(xyz.shape)))
    xy = xyz[:, 0] ** 2 + xyz[:, 1] ** 2
    z = np.sqrt(xy + xyz[:, 2] ** 2)
    theta = np.arctan2(np.sqrt(xy), xyz[:, 2])  # for elevation angle defined from Z-axis down
    azimuth = np.arctan2(xyz[:, 1], xyz[:, 0])
    return np.array([theta, azimuth, z])


def get_T(target_RT, cond_RT):
    R, T = target_RT[:3, :3], target_RT[:, -1]
    T_target = -R.T @ T
    R, T = cond_RT[:3, :3], cond_RT[:, -1]
    T_cond = -R.T @ T
    theta_cond, azimuth_cond, z_cond = cartesian_to_spherical(T_cond[None, :])
    theta_target, azimuth_target, z_target = cartesian_to_spherical(T_target[None, :])
    d_theta = theta_target - theta_cond
    d_azimuth = (azimuth_target - azimuth_cond) % (2 * math.pi)
    d_z = z_target - z_cond
    return [float(d_theta.item()), float(math.sin(d_azimuth.item())), float(math.cos(d_azimuth.item())), float(d_z.item())]


def main():
    folder = sys.argv[1]
    names = sorted(n for n in os.listdir(folder) if n.endswith(".npy"))
    poses = [np.load(os.path.join(folder, n)).astype(np.float64) for n in names]
    for n, p in zip(names, poses):
        if p.shape != (3, 4):
            raise SystemExit("%s has shape %s, expected (3, 4)" % (n, p.shape))
    pairs = [[i, j, get_T(poses[i], poses[j])] for i in range(len(poses)) for j in range(len(poses))]
    print(json.dumps({"files": names, "pairs": pairs}))


if __name__ == "__main__":
    main()

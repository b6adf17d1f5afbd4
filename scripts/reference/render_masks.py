# Renders reference alpha masks of a mesh with Blender, following zero123's
# objaverse-rendering/scripts/blender_script.py: import, normalize_scene (scale by 1/max extent of
# the bound_box corners under matrix_world, applied to root objects, then centre the box), a
# 35 mm / 32 mm camera placed on a sphere and oriented by a TRACK_TO constraint (track -Z, up Y)
# at an empty at the origin, and the pose saved as zero123's get_3x4_RT_matrix_from_blender does.
#
# Usage (Blender 3.4, headless):
#   blender -b --factory-startup -P scripts/reference/render_masks.py -- \
#       ASSET OUT.json [--views 6] [--resolution 256] [--seed 0] [--engine BLENDER_WORKBENCH]
#       [--aa 8|OFF] [--filter-size 1.5] [--samples 16] [--threads 2] [--cameras LOCATIONS.json] [--no-masks 1]
# Output: JSON with the normalisation, and per view the 3x4 world-to-camera matrix, the camera
# location and the alpha>0.5 mask as run lengths (row-major from the TOP row, alternating runs
# of 0 and 1, starting with 0).
import numpy
numpy.bool = bool  # Blender 3.4's glTF importer still uses the alias numpy 1.24 removed.

import json
import math
import random
import sys
import time
import os

import bpy
from mathutils import Vector, Matrix

argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
asset, out_path = argv[0], argv[1]
opts = {"--views": "6", "--resolution": "256", "--seed": "0", "--engine": "BLENDER_WORKBENCH",
        "--write-png": "", "--filter-size": "1.5", "--aa": "8", "--no-masks": "", "--cameras": ""}
i = 2
while i < len(argv):
    opts[argv[i]] = argv[i + 1]
    i += 2
views = int(opts["--views"])
resolution = int(opts["--resolution"])
seed = int(opts["--seed"])
engine = opts["--engine"]

# Reset: remove every object of the factory scene (cube, light, camera).
for obj in list(bpy.data.objects):
    bpy.data.objects.remove(obj, do_unlink=True)

ext = os.path.splitext(asset)[1].lower()
if ext in (".glb", ".gltf"):
    bpy.ops.import_scene.gltf(filepath=asset, merge_vertices=True)
elif ext == ".obj":
    bpy.ops.wm.obj_import(filepath=asset)
elif ext == ".ply":
    bpy.ops.import_mesh.ply(filepath=asset)
else:
    raise SystemExit("unsupported asset " + asset)


def scene_meshes():
    for obj in bpy.context.scene.objects.values():
        if isinstance(obj.data, bpy.types.Mesh):
            yield obj


def scene_root_objects():
    for obj in bpy.context.scene.objects.values():
        if not obj.parent:
            yield obj


def scene_bbox():
    bbox_min = (math.inf,) * 3
    bbox_max = (-math.inf,) * 3
    for obj in scene_meshes():
        for coord in obj.bound_box:
            coord = obj.matrix_world @ Vector(coord)
            bbox_min = tuple(min(x, y) for x, y in zip(bbox_min, coord))
            bbox_max = tuple(max(x, y) for x, y in zip(bbox_max, coord))
    return Vector(bbox_min), Vector(bbox_max)


bpy.context.view_layer.update()
bmin0, bmax0 = scene_bbox()
scale = 1 / max(bmax0 - bmin0)
for obj in scene_root_objects():
    obj.scale = obj.scale * scale
bpy.context.view_layer.update()
bmin, bmax = scene_bbox()
offset = -(bmin + bmax) / 2
for obj in scene_root_objects():
    obj.matrix_world.translation += offset
bpy.context.view_layer.update()
bmin1, bmax1 = scene_bbox()

scene = bpy.context.scene
render = scene.render
render.engine = engine
render.resolution_x = resolution
render.resolution_y = resolution
render.resolution_percentage = 100
render.film_transparent = True
render.filter_size = float(opts["--filter-size"])  # Blender's default 1.5 px pixel filter
if engine == "BLENDER_WORKBENCH":
    scene.display.render_aa = opts["--aa"]  # workbench anti-aliasing samples (Blender's default "8")
render.image_settings.file_format = "PNG"
render.image_settings.color_mode = "RGBA"
if engine == "CYCLES":
    scene.cycles.device = "CPU"
    scene.cycles.samples = int(opts.get("--samples", "16"))
    scene.cycles.use_denoising = False
    scene.cycles.threads_mode = "FIXED"
    scene.cycles.threads = int(opts.get("--threads", "2"))
if engine == "BLENDER_EEVEE":
    scene.eevee.taa_render_samples = int(opts.get("--samples", "16"))

cam_data = bpy.data.cameras.new("Camera")
cam_data.lens = 35
cam_data.sensor_width = 32
cam = bpy.data.objects.new("Camera", cam_data)
scene.collection.objects.link(cam)
scene.camera = cam
empty = bpy.data.objects.new("Empty", None)
scene.collection.objects.link(empty)
con = cam.constraints.new(type="TRACK_TO")
con.track_axis = "TRACK_NEGATIVE_Z"
con.up_axis = "UP_Y"
con.target = empty

# zero123's area light (position / energy randomised per object) for the shaded engines.
bpy.ops.object.light_add(type="AREA")
light = bpy.data.lights["Area"]
rnd_light = random.Random(seed + 1)
light.energy = rnd_light.uniform(300, 600)
bpy.data.objects["Area"].location = (rnd_light.uniform(-1, 1), rnd_light.uniform(-1, 1), rnd_light.uniform(0.5, 1.5))
bpy.data.objects["Area"].scale = (100, 100, 100)

rnd = random.Random(seed)
# --cameras FILE.json: a list of camera locations to use instead of sampling (the first --views).
given_cameras = json.load(open(opts["--cameras"])) if opts["--cameras"] else None
if given_cameras:
    views = min(views, len(given_cameras))
records = []
tmp = out_path + ".tmp.png"
start = time.time()
cpu_start = time.process_time()  # Blender's own process CPU (all its render threads)
for v in range(views):
    if given_cameras:
        cam.location = Vector(given_cameras[v])
    else:
        # Uniform direction on the whole sphere, radius U(1.5, 2.2).
        while True:
            d = Vector((rnd.gauss(0, 1), rnd.gauss(0, 1), rnd.gauss(0, 1)))
            if d.length > 1e-6:
                break
        radius = rnd.uniform(1.5, 2.2)
        cam.location = d.normalized() * radius
    bpy.context.view_layer.update()
    location, rotation = cam.matrix_world.decompose()[0:2]
    R = rotation.to_matrix().transposed()
    T = -1 * R @ location
    rt = [[R[r][0], R[r][1], R[r][2], T[r]] for r in range(3)]
    render.filepath = tmp
    bpy.ops.render.render(write_still=True)
    if opts["--write-png"]:
        import shutil
        shutil.copy(tmp, "%s.%03d.png" % (opts["--write-png"], v))
    if opts["--no-masks"]:
        records.append({"rt": rt, "location": list(location), "runs": []})
        continue
    img = bpy.data.images.load(tmp)
    px = numpy.array(img.pixels[:], dtype=numpy.float32).reshape(resolution, resolution, 4)
    bpy.data.images.remove(img)
    alpha = px[::-1, :, 3] > 0.5  # Blender stores rows bottom-up
    flat = alpha.reshape(-1).astype(numpy.int8)
    change = numpy.flatnonzero(numpy.diff(flat)) + 1
    bounds = numpy.concatenate(([0], change, [flat.size]))
    runs = numpy.diff(bounds).tolist()
    if flat[0] == 1:
        runs = [0] + runs
    records.append({"rt": rt, "location": list(location), "runs": runs})
elapsed = time.time() - start
cpu_elapsed = time.process_time() - cpu_start
if os.path.exists(tmp):
    os.remove(tmp)

with open(out_path, "w") as f:
    json.dump({
        "asset": os.path.basename(asset), "engine": engine, "resolution": resolution, "seed": seed,
        "blender": bpy.app.version_string, "filter_size": render.filter_size, "workbench_aa": scene.display.render_aa,
        "bbox_before": [list(bmin0), list(bmax0)], "scale": scale, "offset": list(offset),
        "bbox_after": [list(bmin1), list(bmax1)],
        "light": {"energy": light.energy, "location": list(bpy.data.objects["Area"].location)},
        "render_seconds": elapsed, "render_cpu_seconds": cpu_elapsed, "views_count": views, "views": records,
    }, f)
print("wrote", out_path, "in %.2f s" % elapsed)

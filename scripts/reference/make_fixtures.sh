#!/bin/sh
# Regenerates the Blender reference masks used by RasterTests (needs Blender 3.4 + python3-numpy).
# Two sets per mesh, 6 random zero123 cameras each (seed 7), 512 x 512, BLENDER_WORKBENCH:
#   blender-NAME.json      workbench anti-aliasing OFF: one sample at each pixel centre (exact coverage)
#   blender-NAME-aa8.json  Blender's default 8-sample workbench anti-aliasing
#   blender-NAME-cycles.json  Cycles as zero123 configures it (pixel filter width 0.01), 16 samples
# Usage: scripts/reference/make_fixtures.sh   (from the repository root)
set -e
M=/usr/share/assimp/models
OUT=Tests/RasterTests/Fixtures
mkdir -p "$OUT"
for pair in "box:$M/glTF2/BoxTextured-glTF-Binary/BoxTextured.glb" \
            "engine:$M/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb" \
            "spider:$M/OBJ/spider.obj"; do
  name=${pair%%:*}; path=${pair#*:}
  blender -b --factory-startup -P scripts/reference/render_masks.py -- "$path" "$OUT/blender-$name.json" \
    --views 6 --resolution 512 --seed 7 --aa OFF >/dev/null 2>&1
  blender -b --factory-startup -P scripts/reference/render_masks.py -- "$path" "$OUT/blender-$name-aa8.json" \
    --views 6 --resolution 512 --seed 7 --aa 8 >/dev/null 2>&1
  blender -b --factory-startup -P scripts/reference/render_masks.py -- "$path" "$OUT/blender-$name-cycles.json" \
    --views 6 --resolution 512 --seed 7 --engine CYCLES --samples 16 --threads 2 --filter-size 0.01 >/dev/null 2>&1
  echo "wrote $OUT/blender-$name.json, blender-$name-aa8.json and blender-$name-cycles.json"
done

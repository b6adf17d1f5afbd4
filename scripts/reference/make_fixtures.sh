#!/bin/sh
# Regenerates the Blender reference masks used by RasterTests (needs Blender 3.4 + python3-numpy).
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
    --views 6 --resolution 256 --seed 7 >/dev/null 2>&1
  echo "wrote $OUT/blender-$name.json"
done

-- Open Images branch: where each ingested split lives on disk, and, for objects whose 3D mesh
-- and camera are known (the cn-fixture openimages dataset), the mesh and the world-to-camera
-- pose the photo was rendered from, so the `render` view-synthesis backend can compute exact
-- novel views.

CREATE TABLE dataset_root (
    dataset  TEXT NOT NULL,                     -- 'openimages'
    split    TEXT NOT NULL,                     -- train, validation, test
    root     TEXT NOT NULL,                     -- absolute dataset root (CSVs, photos, mask zips)
    PRIMARY KEY (dataset, split)
);

CREATE TABLE object_mesh (
    object_id        TEXT PRIMARY KEY REFERENCES object (id),
    mesh             TEXT NOT NULL,             -- absolute path of the mesh file (glb/gltf/obj/ply)
    world_to_camera  TEXT NOT NULL,             -- JSON, 12 numbers, row-major 3x4 [R|t], Blender camera axes, Z-up world
    render_size      INTEGER NOT NULL,          -- square render side the photo's object was drawn at
    supersampling    INTEGER NOT NULL,
    source           TEXT NOT NULL              -- where the truth came from, e.g. 'fixture-truth.json'
);

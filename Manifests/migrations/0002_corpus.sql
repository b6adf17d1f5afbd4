-- The corpus: sources (Open Images photos and objects, 3D assets), what the stages made of
-- them (cut-outs, views, compositions), captions, training samples and shards.
-- Keys are derived from source ids, never from insertion order, so an interrupted and an
-- uninterrupted run leave identical rows.

CREATE TABLE class (
    label  TEXT PRIMARY KEY,                    -- Open Images LabelName, e.g. '/m/04yx4'
    name   TEXT NOT NULL                        -- display name, e.g. 'Car'
);

CREATE TABLE image (
    id        TEXT PRIMARY KEY,                 -- Open Images ImageID
    split     TEXT NOT NULL,
    path      TEXT NOT NULL,                    -- photo, absolute or relative to the dataset root
    rotation  INTEGER CHECK (rotation IN (0, 90, 180, 270)),   -- NULL when unknown
    width     INTEGER,
    height    INTEGER
);

CREATE TABLE object (
    id             TEXT PRIMARY KEY,            -- MaskPath without '.png'
    image_id       TEXT NOT NULL REFERENCES image (id),
    label          TEXT NOT NULL,
    box_id         TEXT NOT NULL,
    x_min REAL NOT NULL, x_max REAL NOT NULL, y_min REAL NOT NULL, y_max REAL NOT NULL,  -- normalised
    predicted_iou  REAL,
    is_occluded INTEGER, is_truncated INTEGER, is_group_of INTEGER, is_depiction INTEGER, is_inside INTEGER,
    mask_path      TEXT NOT NULL,
    accepted       INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    reject_kind    TEXT,
    reject_reason  TEXT
);
CREATE INDEX object_by_image ON object (image_id);

CREATE TABLE extraction (
    object_id    TEXT PRIMARY KEY REFERENCES object (id),
    object_png   TEXT NOT NULL,                 -- RGBA cut-out
    ref_png      TEXT NOT NULL,                 -- long side 200 on a white 256 canvas
    target       TEXT NOT NULL,                 -- 256x256 target photo
    target_mask  TEXT NOT NULL,
    target_mode  TEXT NOT NULL,                 -- 'square' or 'resize'
    bbox_x INTEGER NOT NULL, bbox_y INTEGER NOT NULL, bbox_w INTEGER NOT NULL, bbox_h INTEGER NOT NULL,
    subject      TEXT NOT NULL                  -- class name
);

CREATE TABLE asset (
    id          TEXT PRIMARY KEY,               -- Objaverse uid, or a hash of the relative path
    path        TEXT NOT NULL,
    format      TEXT NOT NULL,                  -- glb, gltf, obj, ply
    file_bytes  INTEGER NOT NULL,
    name        TEXT,
    tags        TEXT,                           -- JSON array
    categories  TEXT,                           -- JSON array
    license     TEXT
);

CREATE TABLE view (
    asset_id  TEXT NOT NULL REFERENCES asset (id),
    idx       INTEGER NOT NULL,
    image     TEXT NOT NULL,                    -- {i:03d}.png
    pose      TEXT NOT NULL,                    -- {i:03d}.npy, 3x4 world-to-camera
    polar     REAL NOT NULL,                    -- radians from +Z
    azimuth   REAL NOT NULL,                    -- radians, atan2(y, x)
    radius    REAL NOT NULL,
    PRIMARY KEY (asset_id, idx)
);

CREATE TABLE novel_view (
    object_id  TEXT NOT NULL REFERENCES object (id),
    idx        INTEGER NOT NULL,                -- 0: (x, y, z), 1: (-x, -y, -z)
    image      TEXT NOT NULL,
    polar_deg  REAL NOT NULL,
    azimuth_deg REAL NOT NULL,
    radius     REAL NOT NULL,
    backend    TEXT NOT NULL,
    PRIMARY KEY (object_id, idx)
);

CREATE TABLE composition (
    id           TEXT PRIMARY KEY,              -- '{asset}:{ref}-{target}'
    asset_id     TEXT NOT NULL REFERENCES asset (id),
    ref_view     INTEGER NOT NULL,
    target_view  INTEGER NOT NULL,
    background   TEXT NOT NULL,                 -- photo path or 'procedural:{seed}'
    target       TEXT NOT NULL,
    ref          TEXT NOT NULL,
    bbox_x INTEGER NOT NULL, bbox_y INTEGER NOT NULL, bbox_w INTEGER NOT NULL, bbox_h INTEGER NOT NULL,
    descriptor   TEXT                           -- background words for templated captions
);

CREATE TABLE caption (
    subject_kind  TEXT NOT NULL,                -- 'image', 'composition', 'object', 'asset'
    subject_id    TEXT NOT NULL,
    source        TEXT NOT NULL,                -- 'narrative', 'template', 'external'
    idx           INTEGER NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, source, idx)
);

CREATE TABLE shard (
    name     TEXT PRIMARY KEY,                  -- '{split}-{000000}'
    split    TEXT NOT NULL,
    samples  INTEGER NOT NULL,
    bytes    INTEGER NOT NULL,
    sha256   TEXT NOT NULL
);

CREATE TABLE sample (
    id         INTEGER PRIMARY KEY,             -- assigned in sorted source order
    kind       TEXT NOT NULL CHECK (kind IN ('objaverse', 'openimages')),
    split      TEXT NOT NULL,
    reference  TEXT NOT NULL,
    target     TEXT NOT NULL,
    concat     TEXT,
    polar      REAL NOT NULL,                   -- T = [polar, sin az, cos az, radius], reference -> target
    az_sin     REAL NOT NULL,
    az_cos     REAL NOT NULL,
    radius     REAL NOT NULL,
    bbox_x INTEGER NOT NULL, bbox_y INTEGER NOT NULL, bbox_w INTEGER NOT NULL, bbox_h INTEGER NOT NULL,
    caption    TEXT,
    source     TEXT NOT NULL,                   -- provenance: 'image/object/view' or 'asset/ref/target'
    shard      TEXT REFERENCES shard (name)
);
CREATE INDEX sample_by_split ON sample (split);

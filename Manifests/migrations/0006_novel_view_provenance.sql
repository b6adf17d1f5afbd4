-- How each novel view was made: the model checkpoint's sha256 and the ldm config's hash, the
-- sampler settings and the item's noise seed (a decimal 64-bit number, the seed of the item's
-- stream). NULL for views a renderer made (backend 'render') and for rows before this migration.
ALTER TABLE novel_view ADD COLUMN checkpoint_sha256 TEXT;
ALTER TABLE novel_view ADD COLUMN model_config_hash TEXT;
ALTER TABLE novel_view ADD COLUMN steps INTEGER;
ALTER TABLE novel_view ADD COLUMN guidance REAL;
ALTER TABLE novel_view ADD COLUMN eta REAL;
ALTER TABLE novel_view ADD COLUMN spacing TEXT;
ALTER TABLE novel_view ADD COLUMN seed TEXT;
